import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';

/**
 * How a field is laid out on the wire, which is all a validating scan needs to know about it.
 * Derived from the generated descriptors, never written by hand.
 */
export const Layout = {
  /** Not declared in the schema: skipped and kept as an unknown field. */
  Unknown: 0,
  Varint: 1,
  Fixed64: 2,
  Fixed32: 3,
  /** Length-delimited, must be valid UTF-8. */
  String: 4,
  Bytes: 5,
  /** Length-delimited nested message, validated with its own table. */
  Message: 6,
  /** Repeated numeric fields accept their element wire type or a packed run. */
  RepeatedVarint: 7,
  RepeatedFixed64: 8,
  RepeatedFixed32: 9,
} as const;

export type Layout = (typeof Layout)[keyof typeof Layout];

/** A compact, field-number-indexed description of one message type. */
export interface MessageTable {
  readonly typeName: string;
  /** `layouts[fieldNumber]`; numbers past the end are unknown fields. */
  readonly layouts: Uint8Array;
  /** `children[fieldNumber]` for Message layouts (map fields point at their entry type). */
  readonly children: readonly (MessageTable | undefined)[];
}

const tables = new WeakMap<DescMessage, MessageTable>();

/** The table of a message type, built once per descriptor. */
export function messageTable(desc: DescMessage): MessageTable {
  let table = tables.get(desc);
  if (table === undefined) {
    const maxNumber = desc.fields.reduce((max, field) => Math.max(max, field.number), 0);
    const layouts = new Uint8Array(maxNumber + 1);
    const children: (MessageTable | undefined)[] = new Array(maxNumber + 1).fill(undefined);
    table = { typeName: desc.typeName, layouts, children };
    // Registered before the fields are resolved, so recursive message types terminate.
    tables.set(desc, table);
    for (const field of desc.fields) {
      layouts[field.number] = fieldLayout(field);
      children[field.number] = childTable(field);
    }
  }
  return table;
}

function fieldLayout(field: DescField): Layout {
  switch (field.fieldKind) {
    case 'scalar':
      return scalarLayout(field.scalar, field.utf8Validation);
    case 'enum':
      return Layout.Varint;
    case 'message':
      assertLengthPrefixed(field, field.delimitedEncoding);
      return Layout.Message;
    case 'map':
      return Layout.Message;
    case 'list':
      switch (field.listKind) {
        case 'message':
          assertLengthPrefixed(field, field.delimitedEncoding);
          return Layout.Message;
        case 'enum':
          return Layout.RepeatedVarint;
        case 'scalar':
          return repeatedLayout(scalarLayout(field.scalar, field.utf8Validation));
      }
  }
}

function scalarLayout(scalar: ScalarType, utf8Validation: boolean): Layout {
  switch (scalar) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return Layout.Fixed64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return Layout.Fixed32;
    case ScalarType.STRING:
      return utf8Validation ? Layout.String : Layout.Bytes;
    case ScalarType.BYTES:
      return Layout.Bytes;
    default:
      return Layout.Varint;
  }
}

function repeatedLayout(element: Layout): Layout {
  switch (element) {
    case Layout.Varint:
      return Layout.RepeatedVarint;
    case Layout.Fixed64:
      return Layout.RepeatedFixed64;
    case Layout.Fixed32:
      return Layout.RepeatedFixed32;
    default:
      return element;
  }
}

function childTable(field: DescField): MessageTable | undefined {
  if (field.fieldKind === 'map') return mapEntryTable(field);
  return field.message === undefined ? undefined : messageTable(field.message);
}

/** Map fields travel as repeated entry messages: key = 1, value = 2. */
function mapEntryTable(field: DescField & { fieldKind: 'map' }): MessageTable {
  const value =
    field.mapKind === 'message'
      ? Layout.Message
      : field.mapKind === 'enum'
        ? Layout.Varint
        : scalarLayout(field.scalar, field.utf8Validation);
  return {
    typeName: `${field.parent.typeName}.${field.name}.entry`,
    layouts: Uint8Array.of(Layout.Unknown, scalarLayout(field.mapKey, field.utf8Validation), value),
    children: [undefined, undefined, field.mapKind === 'message' ? messageTable(field.message) : undefined],
  };
}

function assertLengthPrefixed(field: DescField, delimited: boolean): void {
  // Group-encoded messages do not occur in the telemetry schemas (all proto3).
  if (delimited) throw new Error(`${field.toString()}: delimited message encoding is not supported`);
}
