/**
 * fast-check generators of record payloads at the wire level, driven by the generated
 * descriptors: every field of every message, in any order, repeated (so occurrences merge),
 * with unknown fields and groups mixed in; strings biased to what the transforms look for.
 */
import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { decompose } from '../src/records/binary-float.js';
import { DatumSchema, Field, PayloadSchema, ValueSchema } from '../src/gen/vehicle_data_pb.js';
import { field, tag, type Bytes } from './records-wire.js';

/** Strings shaped like `(37.412374 S, 122.145867 E)`: as vehicles write them, or nearly. */
export const locationString: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.double({ min: 0, max: 90, noNaN: true }),
      fc.constantFrom('N', 'S'),
      fc.double({ min: 0, max: 180, noNaN: true }),
      fc.constantFrom('E', 'W'),
    )
    .map(([lat, ns, lon, ew]) => `(${lat.toFixed(6)} ${ns}, ${lon.toFixed(6)} ${ew})`),
  fc
    .tuple(
      fc.oneof(
        fc.double({ min: -200, max: 200, noNaN: true }).map((value) => value.toFixed(6)),
        fc.double({ noNaN: true }).map(String),
        fc.constantFrom('0', '-0.0', '.5', '5.', 'nan', 'NaN', 'inf', '-Inf', 'infinity', '0x1.8p1', '1_0.5', '1.5p3', '1e400', ''),
      ),
      fc.constantFrom(' ', '  ', '\t', '', '\n', '\u00a0'),
      fc.constantFrom('N', 'S', 'E', 'X', 'n', ''),
      fc.constantFrom(', ', ',', ' , ', ',\u3000'),
      fc.oneof(
        fc.double({ min: -200, max: 200, noNaN: true }).map((value) => value.toFixed(6)),
        fc.constantFrom('122.145867', '-0', '1.e5', '0X1P-2', '1e-400'),
      ),
      fc.constantFrom(' ', '  ', ''),
      fc.constantFrom('E', 'W', 'N', 'w', ''),
      fc.constantFrom(')', ')junk', '', ' )'),
    )
    .map(([lat, space1, ns, comma, lon, space2, ew, close]) => `(${lat}${space1}${ns}${comma}${lon}${space2}${ew}${close}`),
);

/** Exactly the strings the reference rewrites, and some that nearly are. */
export const scientificString: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[+-]?(\d{0,3}\.\d{1,8}|\d{1,8}\.\d{0,3})([eE][+-]?\d{1,3})$/),
  fc.stringMatching(/^[+-]?(\d*\.\d+|\d+\.\d*)([eE][+-]?\d+)$/),
  fc.double({ noNaN: true }).map((value) => value.toExponential()),
  fc.constantFrom('1e5', '1.e5', '.5e1', '-2.5E-3', '+3.0e2', '1.5e-3', '1.5625e-2', '.e1', '1.5e', 'e5', '1.5e+', ' 1.5e3'),
  float32MidpointString(),
);

/**
 * Decimal literals at, just above and just below a point halfway between two float32 values:
 * there, rounding through float64 first would be wrong.
 */
function float32MidpointString(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.float({ noNaN: true, noDefaultInfinity: true, min: 0 }), fc.constantFrom(-1, 0, 1))
    .filter(([value]) => value > 0 && value < 3.4e38)
    .map(([value, nudge]) => {
      const next = new Float32Array([value]);
      new Uint32Array(next.buffer)[0]! += 1;
      const midpoint = (value + next[0]!) / 2;
      const digits = exactDecimal(midpoint);
      // Beyond the last digit of an exact expansion: a 1 makes it larger, dropping digits smaller.
      const text = nudge > 0 ? `${digits}1` : nudge < 0 ? digits.slice(0, -1) : digits;
      return `${text}e0`;
    });
}

/** The exact decimal expansion of a positive double, with a decimal point. */
function exactDecimal(value: number): string {
  const { mantissa, exponent } = decompose(value);
  if (exponent >= 0) return `${mantissa << BigInt(exponent)}.0`;
  const scaled = (mantissa * 5n ** BigInt(-exponent)).toString().padStart(-exponent + 1, '0');
  return `${scaled.slice(0, exponent)}.${scaled.slice(exponent)}`;
}

const anyString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

const datumKey = fc.oneof(
  { weight: 5, arbitrary: fc.constant(Field.Location) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
);

/** Fields no schema declares: every wire type, including groups. */
export function unknownField(fieldNos: fc.Arbitrary<number>): fc.Arbitrary<Bytes> {
  return fc.oneof(
    fc.tuple(fieldNos, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([no, value]) => field.varint(no, value)),
    fc.tuple(fieldNos, fc.uint8Array({ maxLength: 8 })).map(([no, bytes]) => field.bytes(no, bytes)),
    fc.tuple(fieldNos, fc.double()).map(([no, value]) => field.double(no, value)),
    fc.tuple(fieldNos, fc.float()).map(([no, value]) => field.float(no, value)),
    fc
      .tuple(fieldNos, fc.integer({ min: 1, max: 1000 }), fc.nat(1000))
      .map(([no, innerNo, value]) => [...tag(no, 3), ...field.varint(innerNo, value), ...tag(no, 4)]),
  );
}

/** Field numbers that are unknown everywhere in the Payload tree (Value skips 20). */
const unknownNumbers = fc.oneof(fc.constant(20), fc.integer({ min: 60, max: 2 ** 29 - 1 }));

/** Per message type and field name: another generator, and how often to pick the field (default 4). */
interface Overrides {
  readonly [typeName: string]:
    | { readonly [fieldName: string]: { arbitrary?: fc.Arbitrary<Bytes>; weight?: number } }
    | undefined;
}

/** Encoded occurrences of the fields of `desc`, in any order, with unknown fields. */
export function messageBytes(desc: DescMessage, overrides: Overrides, maxFields: number): fc.Arbitrary<Bytes> {
  const choices = desc.fields.map((f) => {
    const override = overrides[desc.typeName]?.[f.name];
    return { weight: override?.weight ?? 4, arbitrary: override?.arbitrary ?? fieldBytes(f, overrides) };
  });
  return fc
    .array(fc.oneof({ weight: 1, arbitrary: unknownField(unknownNumbers) }, ...choices), { maxLength: maxFields })
    .map((parts) => parts.flat());
}

function fieldBytes(f: DescField, overrides: Overrides): fc.Arbitrary<Bytes> {
  const no = f.number;
  if (f.fieldKind === 'message' || (f.fieldKind === 'list' && f.listKind === 'message')) {
    return messageBytes(f.message!, overrides, 4).map((content) => field.bytes(no, content));
  }
  if (f.fieldKind === 'enum' || (f.fieldKind === 'list' && f.listKind === 'enum')) {
    return fc.integer({ min: -5, max: 300 }).map((value) => field.varint(no, value));
  }
  if (f.fieldKind === 'map') {
    return fc.tuple(anyString, anyString).map(([key, value]) => field.bytes(no, [...field.string(1, key), ...field.string(2, value)]));
  }
  switch (f.scalar) {
    case ScalarType.STRING:
      return anyString.map((text) => field.string(no, text));
    case ScalarType.BOOL:
      return fc.boolean().map((value) => field.varint(no, value));
    case ScalarType.INT32:
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value) => field.varint(no, value));
    case ScalarType.INT64:
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => field.varint(no, value));
    case ScalarType.FLOAT:
      return fc.float().map((value) => field.float(no, value));
    case ScalarType.DOUBLE:
      return fc.double().map((value) => field.double(no, value));
    default:
      throw new Error(`no generator for ${f.toString()}`);
  }
}

const VALUE_STRING = ValueSchema.field['stringValue']!.number;

/** A V record payload: data, created_at, vin, is_resend and unknown fields, any order. */
export function vehicleDataPayload(vins: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> {
  const overrides: Overrides = {
    [DatumSchema.typeName]: {
      key: { arbitrary: datumKey.map((key) => field.varint(DatumSchema.field['key']!.number, key)), weight: 12 },
      value: { weight: 12 },
    },
    [ValueSchema.typeName]: {
      // Value has 50-odd members: without this weight a string would be rare.
      string_value: {
        arbitrary: fc
          .oneof(
            { weight: 3, arbitrary: locationString },
            { weight: 3, arbitrary: scientificString },
            { weight: 2, arbitrary: anyString },
          )
          .map((text) => field.string(VALUE_STRING, text)),
        weight: 120,
      },
    },
    [PayloadSchema.typeName]: {
      data: { weight: 16 },
      vin: { arbitrary: vins.map((vin) => field.string(PayloadSchema.field['vin']!.number, vin)) },
    },
  };
  return messageBytes(PayloadSchema, overrides, 25).map((bytes) => Uint8Array.from(bytes));
}

/** Any payload of `desc`, with the default generators. */
export function payloadOf(desc: DescMessage, maxFields = 8): fc.Arbitrary<Uint8Array> {
  return messageBytes(desc, {}, maxFields).map((bytes) => Uint8Array.from(bytes));
}

/** Damage done to a valid payload: the decoders must agree on what still decodes. */
export function mutated(payloads: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.nat(255) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );
  return fc.tuple(payloads, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([payload, mutations]) => {
    let bytes = [...payload];
    for (const change of mutations) {
      const at = bytes.length === 0 ? 0 : change.at % (bytes.length + 1);
      switch (change.kind) {
        case 'set':
          if (at < bytes.length) bytes[at] = change.byte;
          break;
        case 'insert':
          bytes.splice(at, 0, ...change.bytes);
          break;
        case 'delete':
          bytes.splice(at, change.count);
          break;
        case 'truncate':
          bytes = bytes.slice(0, at);
          break;
      }
    }
    return Uint8Array.from(bytes);
  });
}

