import { ScalarType } from '@bufbuild/protobuf';
import type { DescEnum, DescField, DescMessage } from '@bufbuild/protobuf';
import { JsonEncodeError } from './errors.js';

/** Wire types (protobuf encoding spec). */
export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_SGROUP = 3;
export const WIRE_EGROUP = 4;
export const WIRE_I32 = 5;

/** How one value is read from the wire and written as JSON. */
export const KIND_INT32 = 0;
export const KIND_UINT32 = 1;
export const KIND_SINT32 = 2;
export const KIND_INT64 = 3;
export const KIND_UINT64 = 4;
export const KIND_SINT64 = 5;
export const KIND_FIXED32 = 6;
export const KIND_SFIXED32 = 7;
export const KIND_FIXED64 = 8;
export const KIND_SFIXED64 = 9;
export const KIND_FLOAT = 10;
export const KIND_DOUBLE = 11;
export const KIND_BOOL = 12;
export const KIND_STRING = 13;
export const KIND_BYTES = 14;
export const KIND_ENUM = 15;
export const KIND_MESSAGE = 16;
export const KIND_TIMESTAMP = 17;

export const SINGULAR = 0;
export const LIST = 1;
export const MAP = 2;

/** Enum value number → its JSON literal (the quoted name) as UTF-8. */
export interface EnumNames {
  /** Dense table for the usual small non-negative numbers. */
  readonly dense: readonly (Uint8Array | undefined)[];
  readonly sparse: ReadonlyMap<number, Uint8Array>;
}

/** How one value is read and written: the value part of a field, a list element, a map key or value. */
interface ValueSpec {
  readonly kind: number;
  /** Wire type of one element. */
  readonly wireType: number;
  /** Scalar numeric kinds may arrive packed in one LEN record when repeated. */
  readonly packable: boolean;
  readonly enumNames: EnumNames | undefined;
  readonly messageType: DescMessage | undefined;
  /** JSON written for an absent value (map entries without a value). */
  readonly defaultJson: string;
}

const utf8 = new TextEncoder();

/**
 * One field of a message plan (map keys and values use the same shape, without the field
 * parts). A class, so that the writer's hot paths only ever see one object shape.
 */
export class FieldPlan {
  readonly kind: number;
  readonly wireType: number;
  readonly packable: boolean;
  readonly enumNames: EnumNames | undefined;
  readonly defaultJson: string;
  readonly defaultBytes: Uint8Array;
  /** The key, with and without a leading comma, as UTF-8. */
  readonly keyBytes: Uint8Array;
  readonly keyAfterCommaBytes: Uint8Array;
  /** The message's opening brace and the key: one append for a message's first field. */
  readonly keyAfterBraceBytes: Uint8Array;
  /** Key and value of the field when unset (empty when it is left out), with and without a leading comma. */
  readonly unsetBytes: Uint8Array;
  readonly unsetAfterCommaBytes: Uint8Array;
  readonly unsetAfterBraceBytes: Uint8Array;
  /** Index into the message's `items`: where this field (or its oneof) is written. */
  position = -1;
  private readonly messageType: DescMessage | undefined;
  /** Resolved on first use: message types may refer to themselves. */
  private resolved: MessagePlan | undefined = undefined;

  constructor(
    value: ValueSpec,
    readonly slot = -1,
    readonly number = 0,
    /** `"jsonName":` and `,"jsonName":`, ready to append. */
    readonly key = '',
    readonly keyAfterComma = '',
    readonly cardinality = SINGULAR,
    /** Index into the message's oneofs, or -1. */
    readonly oneof = -1,
    /** JSON for an unset field, or undefined to leave it out (oneof members, proto3 `optional`). */
    readonly unsetJson: string | undefined = undefined,
    readonly mapKey: FieldPlan | undefined = undefined,
    readonly mapValue: FieldPlan | undefined = undefined,
  ) {
    this.kind = value.kind;
    this.wireType = value.wireType;
    this.packable = value.packable;
    this.enumNames = value.enumNames;
    this.defaultJson = value.defaultJson;
    this.defaultBytes = utf8.encode(value.defaultJson);
    this.messageType = value.messageType;
    this.keyBytes = utf8.encode(key);
    this.keyAfterCommaBytes = utf8.encode(keyAfterComma);
    this.unsetBytes = utf8.encode(unsetJson === undefined ? '' : key + unsetJson);
    this.unsetAfterCommaBytes = utf8.encode(unsetJson === undefined ? '' : keyAfterComma + unsetJson);
    this.keyAfterBraceBytes = utf8.encode(`{${key}`);
    this.unsetAfterBraceBytes = utf8.encode(unsetJson === undefined ? '' : `{${key}${unsetJson}`);
  }

  /** Key and enum name in one piece, per enum value, made on first use; see keyedEnumName. */
  private keyedNames: (Uint8Array | undefined)[][] | undefined = undefined;

  /**
   * The key (after `{` when `first`, else after `,`) and the quoted name of enum value `value`
   * as one piece of bytes, or undefined when the value has no name in the dense table.
   */
  keyedEnumName(value: number, first: boolean): Uint8Array | undefined {
    const names = this.enumNames!.dense;
    if (!(value >= 0 && value < names.length)) return undefined;
    this.keyedNames ??= [[], []];
    const table = this.keyedNames[first ? 0 : 1]!;
    const cached = table[value];
    if (cached !== undefined) return cached;
    const name = names[value];
    if (name === undefined) return undefined;
    const key = first ? this.keyAfterBraceBytes : this.keyAfterCommaBytes;
    const piece = new Uint8Array(key.length + name.length);
    piece.set(key);
    piece.set(name, key.length);
    table[value] = piece;
    return piece;
  }

  message(): MessagePlan {
    if (this.resolved !== undefined) return this.resolved;
    if (this.messageType === undefined) throw new JsonEncodeError('unsupported_schema', 'not a message field');
    this.resolved = messagePlan(this.messageType);
    return this.resolved;
  }
}

export type ValuePlan = FieldPlan;

/** Per-message scratch for one nesting depth; see writer.ts. */
export interface Frame {
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly epoch: Float64Array;
  readonly oneofSlot: Int32Array;
  readonly oneofEpoch: Float64Array;
}

export interface MessagePlan {
  readonly typeName: string;
  readonly isTimestamp: boolean;
  /** Declaration order. */
  readonly fields: readonly FieldPlan[];
  /** Emission order: field slot (>= 0) or oneof group `-(index + 1)` at its first member's place. */
  readonly items: readonly number[];
  readonly oneofCount: number;
  readonly byNumber: readonly (FieldPlan | undefined)[];
  readonly sparseByNumber: ReadonlyMap<number, FieldPlan>;
  /** Whether a field is a map (their entries are sorted, so they are never written in one pass). */
  readonly hasMap: boolean;
  readonly frames: Frame[];
}

/** The plan of field `fieldNumber`, `undefined` for a field the message does not declare. */
export function fieldPlanOf(plan: MessagePlan, fieldNumber: number): FieldPlan | undefined {
  return fieldNumber < plan.byNumber.length ? plan.byNumber[fieldNumber] : plan.sparseByNumber.get(fieldNumber);
}

const DENSE_LIMIT = 4096;
const TIMESTAMP = 'google.protobuf.Timestamp';
/** Well-known types whose JSON mapping is special and not implemented here. */
const UNSUPPORTED_TYPES = new Set([
  'google.protobuf.Any',
  'google.protobuf.Duration',
  'google.protobuf.FieldMask',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.NullValue',
  'google.protobuf.BoolValue',
  'google.protobuf.BytesValue',
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
  'google.protobuf.Int32Value',
  'google.protobuf.Int64Value',
  'google.protobuf.StringValue',
  'google.protobuf.UInt32Value',
  'google.protobuf.UInt64Value',
]);

const plans = new WeakMap<DescMessage, MessagePlan>();
const enumTables = new WeakMap<DescEnum, EnumNames>();

/** The compiled plan for a message type; compiled once and cached per descriptor. */
export function messagePlan(schema: DescMessage): MessagePlan {
  const cached = plans.get(schema);
  if (cached !== undefined) return cached;
  if (UNSUPPORTED_TYPES.has(schema.typeName)) unsupported(`well-known type ${schema.typeName}`);
  const fields: FieldPlan[] = [];
  const byNumber: (FieldPlan | undefined)[] = [];
  const sparseByNumber = new Map<number, FieldPlan>();
  const items: number[] = [];
  const plan: MessagePlan = {
    typeName: schema.typeName,
    isTimestamp: schema.typeName === TIMESTAMP,
    fields,
    items,
    oneofCount: schema.oneofs.length,
    byNumber,
    sparseByNumber,
    hasMap: schema.fields.some((field) => field.fieldKind === 'map'),
    frames: [],
  };
  // Registered before the fields compile so self-referencing types terminate.
  plans.set(schema, plan);
  try {
    let previousOneof = -1;
    for (const field of schema.fields) {
      const compiled = fieldPlan(schema, field, fields.length);
      fields.push(compiled);
      if (compiled.number < DENSE_LIMIT) {
        while (byNumber.length <= compiled.number) byNumber.push(undefined);
        byNumber[compiled.number] = compiled;
      } else {
        sparseByNumber.set(compiled.number, compiled);
      }
      // Oneof members are declared together, so the group takes its first member's place.
      if (compiled.oneof < 0) items.push(compiled.slot);
      else if (compiled.oneof !== previousOneof) items.push(-(compiled.oneof + 1));
      compiled.position = items.length - 1;
      previousOneof = compiled.oneof;
    }
  } catch (error) {
    plans.delete(schema);
    throw error;
  }
  return plan;
}

function fieldPlan(schema: DescMessage, field: DescField, slot: number): FieldPlan {
  const jsonName = JSON.stringify(field.jsonName);
  const oneof = field.oneof === undefined ? -1 : schema.oneofs.indexOf(field.oneof);
  const make = (value: ValueSpec, cardinality: number, unset: string | undefined, mapKey?: FieldPlan, mapValue?: FieldPlan) =>
    new FieldPlan(value, slot, field.number, `${jsonName}:`, `,${jsonName}:`, cardinality, oneof, unset, mapKey, mapValue);
  switch (field.fieldKind) {
    case 'scalar':
    case 'enum':
    case 'message': {
      const value =
        field.fieldKind === 'scalar'
          ? scalarSpec(field.scalar)
          : field.fieldKind === 'enum'
            ? enumSpec(field.enum)
            : messageSpec(field.message, field.delimitedEncoding);
      return make(value, SINGULAR, unsetJson(field, value));
    }
    case 'list': {
      const element =
        field.listKind === 'scalar'
          ? scalarSpec(field.scalar)
          : field.listKind === 'enum'
            ? enumSpec(field.enum)
            : messageSpec(field.message, field.delimitedEncoding);
      return make(element, LIST, '[]');
    }
    case 'map': {
      const value =
        field.mapKind === 'scalar'
          ? scalarSpec(field.scalar)
          : field.mapKind === 'enum'
            ? enumSpec(field.enum)
            : messageSpec(field.message, false);
      // On the wire a map is a list of LEN entry records, whatever the value type.
      const entry = { ...value, wireType: WIRE_LEN, packable: false };
      return make(entry, MAP, '{}', new FieldPlan(scalarSpec(field.mapKey)), new FieldPlan(value));
    }
  }
}

function unsetJson(field: DescField, value: ValueSpec): string | undefined {
  // Go's protojson (EmitUnpopulated) leaves out every unset oneof member, proto3 `optional`
  // included, writes null for unset message fields and proto2 scalars, defaults otherwise.
  if (field.oneof !== undefined || field.proto.proto3Optional === true) return undefined;
  if (value.kind === KIND_MESSAGE || value.kind === KIND_TIMESTAMP) return 'null';
  if (field.parent.file.edition === EDITION_PROTO2) return 'null';
  return value.defaultJson;
}

/** `Edition.EDITION_PROTO2` in google/protobuf/descriptor.proto. */
const EDITION_PROTO2 = 998;

function scalarSpec(scalar: ScalarType): ValueSpec {
  const plan = (kind: number, wireType: number, defaultJson: string): ValueSpec => ({
    kind,
    wireType,
    packable: wireType !== WIRE_LEN,
    enumNames: undefined,
    messageType: undefined,
    defaultJson,
  });
  switch (scalar) {
    case ScalarType.INT32:
      return plan(KIND_INT32, WIRE_VARINT, '0');
    case ScalarType.UINT32:
      return plan(KIND_UINT32, WIRE_VARINT, '0');
    case ScalarType.SINT32:
      return plan(KIND_SINT32, WIRE_VARINT, '0');
    case ScalarType.INT64:
      return plan(KIND_INT64, WIRE_VARINT, '"0"');
    case ScalarType.UINT64:
      return plan(KIND_UINT64, WIRE_VARINT, '"0"');
    case ScalarType.SINT64:
      return plan(KIND_SINT64, WIRE_VARINT, '"0"');
    case ScalarType.FIXED32:
      return plan(KIND_FIXED32, WIRE_I32, '0');
    case ScalarType.SFIXED32:
      return plan(KIND_SFIXED32, WIRE_I32, '0');
    case ScalarType.FIXED64:
      return plan(KIND_FIXED64, WIRE_I64, '"0"');
    case ScalarType.SFIXED64:
      return plan(KIND_SFIXED64, WIRE_I64, '"0"');
    case ScalarType.FLOAT:
      return plan(KIND_FLOAT, WIRE_I32, '0');
    case ScalarType.DOUBLE:
      return plan(KIND_DOUBLE, WIRE_I64, '0');
    case ScalarType.BOOL:
      return plan(KIND_BOOL, WIRE_VARINT, 'false');
    case ScalarType.STRING:
      return plan(KIND_STRING, WIRE_LEN, '""');
    case ScalarType.BYTES:
      return plan(KIND_BYTES, WIRE_LEN, '""');
  }
}

function enumSpec(descEnum: DescEnum): ValueSpec {
  if (descEnum.typeName === 'google.protobuf.NullValue') unsupported('google.protobuf.NullValue');
  const names = enumNames(descEnum);
  // An implicit-presence enum defaults to 0; Go writes its name (or the number if it has none).
  const zero = names.dense[0] ?? names.sparse.get(0);
  const zeroJson = zero === undefined ? '0' : new TextDecoder().decode(zero);
  return { kind: KIND_ENUM, wireType: WIRE_VARINT, packable: true, enumNames: names, messageType: undefined, defaultJson: zeroJson };
}

function enumNames(descEnum: DescEnum): EnumNames {
  const cached = enumTables.get(descEnum);
  if (cached !== undefined) return cached;
  const dense: (Uint8Array | undefined)[] = [];
  const sparse = new Map<number, Uint8Array>();
  for (const value of descEnum.values) {
    const literal = utf8.encode(JSON.stringify(value.name));
    if (value.number >= 0 && value.number < DENSE_LIMIT) {
      while (dense.length <= value.number) dense.push(undefined);
      // With allow_alias the first declared name wins, as in Go.
      dense[value.number] ??= literal;
    } else if (!sparse.has(value.number)) {
      sparse.set(value.number, literal);
    }
  }
  const table = { dense, sparse };
  enumTables.set(descEnum, table);
  return table;
}

function messageSpec(message: DescMessage, delimited: boolean): ValueSpec {
  if (delimited) unsupported(`group-encoded field of type ${message.typeName}`);
  if (UNSUPPORTED_TYPES.has(message.typeName)) unsupported(`well-known type ${message.typeName}`);
  const isTimestamp = message.typeName === TIMESTAMP;
  return {
    kind: isTimestamp ? KIND_TIMESTAMP : KIND_MESSAGE,
    wireType: WIRE_LEN,
    packable: false,
    enumNames: undefined,
    messageType: message,
    // A map entry without its value holds an empty message; Go writes it with all defaults.
    defaultJson: isTimestamp ? '"1970-01-01T00:00:00Z"' : '',
  };
}

function unsupported(what: string): never {
  throw new JsonEncodeError('unsupported_schema', `protobufToJson does not support ${what}`);
}
