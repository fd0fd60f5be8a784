import { create, toBinary } from '@bufbuild/protobuf';
import type { DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Field,
  JsonEncodeError,
  PayloadSchema,
  ValueSchema,
  VehicleAlertsSchema,
  VehicleConnectivitySchema,
  VehicleErrorsSchema,
  VehicleMetricsSchema,
  protobufToJson,
  protobufToJsonBytes,
} from '../src/index.js';
import { writeMergedMessage } from '../src/json/merged-writer.js';
import { outputString, putFiniteDouble, resetOutput } from '../src/json/output.js';
import { messagePlan } from '../src/json/plan.js';
import { writeStreamedMessage } from '../src/json/stream-writer.js';
import { formatTimestamp } from '../src/json/timestamp.js';
import { clearInput, setInput } from '../src/json/wire.js';
import { messageArbitrary } from './fixtures/json/arbitraries.js';
import { KitchenSinkSchema } from './fixtures/json/kitchen-sink.js';

/**
 * protobufToJson writes most messages in one pass (stream-writer.ts) and hands the rest to the
 * two-pass merged writer. These tests hold the two to the same output, and check the pieces the
 * byte writer formats itself (doubles, 64-bit integers, strings, timestamps) against JavaScript's
 * own formatting, which the golden tests tie to Go's.
 */

const TIMEOUT_MS = 60_000;
const schemas: DescMessage[] = [
  PayloadSchema,
  VehicleAlertsSchema,
  VehicleErrorsSchema,
  VehicleConnectivitySchema,
  VehicleMetricsSchema,
  KitchenSinkSchema,
];

/** What one writer makes of `bytes`: its JSON, 'gave up' (one-pass writer only) or the error reason. */
function withWriter(which: 'streamed' | 'merged', schema: DescMessage, bytes: Uint8Array): string {
  const plan = messagePlan(schema);
  setInput(bytes);
  resetOutput();
  try {
    if (which === 'merged') writeMergedMessage(plan, bytes.length);
    else if (!writeStreamedMessage(plan, 0, bytes.length, 0)) return 'gave up';
    return outputString();
  } catch (error) {
    if (error instanceof JsonEncodeError) return `error ${error.reason}`;
    throw error;
  } finally {
    resetOutput();
    clearInput();
  }
}

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/** Whether a message type or one it holds has a map field: the one-pass writer leaves those alone. */
function hasMap(schema: DescMessage, seen = new Set<DescMessage>()): boolean {
  if (seen.has(schema)) return false;
  seen.add(schema);
  return schema.fields.some((field) => field.fieldKind === 'map' || (field.message !== undefined && hasMap(field.message, seen)));
}

describe.each(schemas.map((schema) => [schema.name, schema] as const))('the one-pass writer on %s', (_, schema) => {
  it('writes what the merged writer writes for every encoder-ordered message (without maps)', () => {
    const expectStreamed = !hasMap(schema);
    fc.assert(
      fc.property(messageArbitrary(schema), (message) => {
        const bytes = toBinary(schema, message as never);
        const streamed = withWriter('streamed', schema, bytes);
        if (expectStreamed || streamed !== 'gave up') expect(streamed).toBe(withWriter('merged', schema, bytes));
      }),
      { numRuns: schema === KitchenSinkSchema ? 60 : 500 },
    );
  }, TIMEOUT_MS);

  it('writes the same or gives up on concatenated encodings, and protobufToJson follows the merged writer', () => {
    fc.assert(
      fc.property(messageArbitrary(schema), messageArbitrary(schema), (first, second) => {
        const bytes = concat(toBinary(schema, first as never), toBinary(schema, second as never));
        const streamed = withWriter('streamed', schema, bytes);
        const merged = withWriter('merged', schema, bytes);
        if (streamed !== 'gave up' && !streamed.startsWith('error')) expect(streamed).toBe(merged);
        let actual: string;
        try {
          actual = protobufToJson(schema, bytes);
        } catch (error) {
          actual = `error ${(error as JsonEncodeError).reason}`;
        }
        expect(actual).toBe(merged);
      }),
      { numRuns: schema === KitchenSinkSchema ? 30 : 250 },
    );
  }, TIMEOUT_MS);
});

describe('the one-pass writer', () => {
  const datum = (key: Field, value: number) =>
    toBinary(PayloadSchema, create(PayloadSchema, { data: [{ key, value: { value: { case: 'intValue', value } } }] }));
  const vin = (text: string) => toBinary(PayloadSchema, create(PayloadSchema, { vin: text }));

  it('writes the usual encoding itself', () => {
    expect(withWriter('streamed', PayloadSchema, concat(datum(Field.Soc, 1), vin('A')))).toBe(
      '{"data":[{"key":"Soc","value":{"intValue":1}}],"createdAt":null,"vin":"A","isResend":false}',
    );
  });

  it('keeps a repeated field open across consecutive records', () => {
    expect(withWriter('streamed', PayloadSchema, concat(datum(Field.Soc, 1), datum(Field.Gear, 2)))).toBe(
      '{"data":[{"key":"Soc","value":{"intValue":1}},{"key":"Gear","value":{"intValue":2}}],"createdAt":null,"vin":"","isResend":false}',
    );
  });

  it('gives up on fields out of declaration order, twice, split lists and oneof switches', () => {
    const twoMembers = concat(
      toBinary(ValueSchema, create(ValueSchema, { value: { case: 'intValue', value: 1 } })),
      toBinary(ValueSchema, create(ValueSchema, { value: { case: 'stringValue', value: 'x' } })),
    );
    expect(withWriter('streamed', PayloadSchema, concat(vin('A'), datum(Field.Soc, 1)))).toBe('gave up');
    expect(withWriter('streamed', PayloadSchema, concat(vin('A'), vin('B')))).toBe('gave up');
    expect(withWriter('streamed', PayloadSchema, concat(concat(datum(Field.Soc, 1), vin('A')), datum(Field.Soc, 2)))).toBe(
      'gave up',
    );
    expect(withWriter('streamed', ValueSchema, twoMembers)).toBe('gave up');
    expect(protobufToJson(ValueSchema, twoMembers)).toBe('{"stringValue":"x"}');
    expect(protobufToJson(PayloadSchema, concat(vin('A'), vin('B')))).toBe(
      '{"data":[],"createdAt":null,"vin":"B","isResend":false}',
    );
  });

  it('gives up on maps, whose entries are sorted', () => {
    const bytes = toBinary(
      VehicleErrorsSchema,
      create(VehicleErrorsSchema, { errors: [{ name: 'e', tags: { b: '2', a: '1' } }] }),
    );
    expect(withWriter('streamed', VehicleErrorsSchema, bytes)).toBe('gave up');
    expect(protobufToJson(VehicleErrorsSchema, bytes)).toContain('"tags":{"a":"1","b":"2"}');
  });
});

/** The double writer's own output for a finite nonzero value. */
function writtenDouble(value: number): string {
  resetOutput();
  putFiniteDouble(value);
  return outputString();
}

describe('doubles', () => {
  const finiteNonzero = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => value !== 0);
  /** Decimals of up to 17 significant digits at scales where the fast path works. */
  const shortDecimals = fc
    .tuple(fc.integer({ min: -99_999_999, max: 99_999_999 }), fc.integer({ min: 0, max: 22 }), fc.integer({ min: 0, max: 9_999_999 }))
    .map(([whole, scale, extra]) => (whole * 1e7 + extra) / 10 ** scale)
    .filter((value) => value !== 0);

  it('are written as String() writes them (shortest round trip, same notation), over all bit patterns', () => {
    fc.assert(
      fc.property(finiteNonzero, (value) => {
        expect(writtenDouble(value)).toBe(String(value));
      }),
      { numRuns: 20_000 },
    );
  });

  it('are written as String() writes them for short decimals, integers and values at the notation limits', () => {
    fc.assert(
      fc.property(shortDecimals, (value) => {
        expect(writtenDouble(value)).toBe(String(value));
      }),
      { numRuns: 50_000 },
    );
    const edges = [
      1e-6, 1.5e-6, 9.99999e-7, 0.1, 0.2, 0.3, 0.1 + 0.2, 1 / 3, 2 / 3, 18234.56, 76.8, -12.4, 37.412374, -122.145867,
      999999999999999, 1e15, 1e15 - 0.5, 123456789012345.6, 2 ** 31, 2 ** 31 - 0.5, 2 ** 53, 2 ** 53 - 1, 2 ** 53 + 2,
      1e21, 1e21 - 65536, 5e-324, Number.MAX_VALUE, 4.35, 0.000123, 1.0000000000000002, 0.9999999999999999,
    ];
    for (const value of edges) {
      expect(writtenDouble(value)).toBe(String(value));
      expect(writtenDouble(-value)).toBe(String(-value));
    }
  });

  it('keep their sign at zero, and write NaN and the infinities as strings', () => {
    const json = (value: number) => protobufToJson(ValueSchema, toBinary(ValueSchema, create(ValueSchema, { value: { case: 'doubleValue', value } })));
    expect(json(-0)).toBe('{"doubleValue":-0}');
    expect(json(Number.NaN)).toBe('{"doubleValue":"NaN"}');
    expect(json(-Infinity)).toBe('{"doubleValue":"-Infinity"}');
  });
});

describe('64-bit integers', () => {
  it('are quoted decimals over the whole range, the exact-double fast paths included', () => {
    const json = (value: bigint) => protobufToJson(ValueSchema, toBinary(ValueSchema, create(ValueSchema, { value: { case: 'longValue', value } })));
    const int64 = fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.bigInt({ min: -(2n ** 53n) - 2n, max: 2n ** 53n + 2n }),
      fc.bigInt({ min: -1000n, max: 1000n }),
    );
    fc.assert(
      fc.property(int64, (value) => {
        expect(json(value)).toBe(value === 0n ? '{"longValue":"0"}' : `{"longValue":"${value}"}`);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('strings', () => {
  const stringJson = (value: string) =>
    protobufToJson(ValueSchema, toBinary(ValueSchema, create(ValueSchema, { value: { case: 'stringValue', value } })));

  it('escape what JSON.stringify escapes (as Go does) and copy everything else, non-ASCII included', () => {
    // Lone surrogates cannot be encoded as UTF-8, so they are not generated.
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        expect(stringJson(value)).toBe(`{"stringValue":${JSON.stringify(value)}}`);
      }),
      { numRuns: 5_000 },
    );
    expect(stringJson('\u0000\u001f\u007f"\\\b\f\n\r\t\u2028é😀')).toBe(
      '{"stringValue":"\\u0000\\u001f\u007f\\"\\\\\\b\\f\\n\\r\\t\u2028é😀"}',
    );
  });

  it('come out the same as bytes, UTF-8 encoded', () => {
    const bytes = toBinary(ValueSchema, create(ValueSchema, { value: { case: 'stringValue', value: 'Straße 😀 "x"' } }));
    const text = protobufToJson(ValueSchema, bytes);
    expect(Buffer.from(protobufToJsonBytes(ValueSchema, bytes)).toString('utf8')).toBe(text);
    expect(new TextDecoder().decode(protobufToJsonBytes(PayloadSchema, new Uint8Array()))).toBe(
      '{"data":[],"createdAt":null,"vin":"","isResend":false}',
    );
  });
});

describe('timestamps', () => {
  it('are written as RFC 3339 in UTC, with 0, 3, 6 or 9 fractional digits', () => {
    const seconds = fc.integer({ min: -62135596800, max: 253402300799 });
    const nanos = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999 }).map((ms) => ms * 1_000_000), fc.integer({ min: 0, max: 999_999_999 }));
    fc.assert(
      fc.property(seconds, nanos, (s, n) => {
        const iso = new Date(s * 1000).toISOString().slice(0, 19);
        const digits = n === 0 ? 0 : n % 1_000_000 === 0 ? 3 : n % 1000 === 0 ? 6 : 9;
        const fraction = digits === 0 ? '' : `.${String(n).padStart(9, '0').slice(0, digits)}`;
        const expected = `"${iso}${fraction}Z"`;
        expect(formatTimestamp(s, n)).toBe(expected);
        const bytes = toBinary(
          VehicleAlertsSchema,
          create(VehicleAlertsSchema, { alerts: [{ name: 'a', startedAt: { seconds: BigInt(s), nanos: n } }] }),
        );
        expect(protobufToJson(VehicleAlertsSchema, bytes)).toContain(`"startedAt":${expected}`);
      }),
      { numRuns: 3_000 },
    );
  });
});
