import { ScalarType, fromBinary, toBinary, toJson } from '@bufbuild/protobuf';
import type { DescField, DescMessage, JsonValue } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  JsonEncodeError,
  PayloadSchema,
  VehicleAlertsSchema,
  VehicleConnectivitySchema,
  VehicleErrorsSchema,
  VehicleMetricsSchema,
  protobufToJson,
} from '../src/index.js';
import { messageArbitrary } from './fixtures/json/arbitraries.js';
import { KitchenSinkSchema } from './fixtures/json/kitchen-sink.js';

/**
 * Differential tests against protobuf-es: for generated messages, parsing our JSON gives what
 * protobuf-es' toJson (alwaysEmitImplicit) gives for the same bytes, once the documented
 * differences (where we follow Go) are normalised away on both sides:
 * - unset message fields: Go writes null, protobuf-es leaves them out;
 * - float32: Go writes the shortest form that reads back as a float32, protobuf-es the double's;
 * - negative zero: Go keeps its sign.
 */

const schemas: DescMessage[] = [PayloadSchema, VehicleAlertsSchema, VehicleErrorsSchema, VehicleConnectivitySchema, VehicleMetricsSchema];
const RUNS = 1000;
/** Generous: thousands of messages per schema on a shared 2-core machine. */
const TIMEOUT_MS = 60_000;

function normalise(schema: DescMessage, json: JsonValue): JsonValue {
  if (schema.typeName === 'google.protobuf.Timestamp' || json === null || typeof json !== 'object' || Array.isArray(json)) return json;
  const out: Record<string, JsonValue> = {};
  for (const field of schema.fields) {
    const value = json[field.jsonName];
    if (value === undefined || value === null) continue;
    out[field.jsonName] = normaliseField(field, value);
  }
  return out;
}

function normaliseField(field: DescField, value: JsonValue): JsonValue {
  const one = (item: JsonValue): JsonValue => {
    if (field.message !== undefined) return normalise(field.message, item);
    if (typeof item !== 'number') return item;
    const number = field.scalar === ScalarType.FLOAT ? Math.fround(item) : item;
    return number === 0 ? 0 : number;
  };
  if (field.fieldKind === 'list' && Array.isArray(value)) return value.map(one);
  if (field.fieldKind === 'map' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, one(v)]));
  }
  return one(value);
}

function expectSameAsProtobufEs(schema: DescMessage, bytes: Uint8Array): void {
  const ours = JSON.parse(protobufToJson(schema, bytes)) as JsonValue;
  const theirs = toJson(schema, fromBinary(schema, bytes), { alwaysEmitImplicit: true });
  expect(normalise(schema, ours)).toEqual(normalise(schema, theirs));
}

const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

// Every scalar type, packed lists, maps with every key type, enum and message values, recursion.
const tables = [...schemas.map((schema) => [schema.name, schema, RUNS] as const), ['KitchenSink', KitchenSinkSchema, 60] as const];

describe.each(tables)('protobufToJson(%s) against protobuf-es', (_, schema, runs) => {
  it('agrees on generated messages', () => {
    fc.assert(
      fc.property(messageArbitrary(schema), (message) => {
        expectSameAsProtobufEs(schema, toBinary(schema, message as never));
      }),
      { numRuns: runs },
    );
  }, TIMEOUT_MS);

  it('agrees on concatenated encodings (merge, last value wins, oneof switches)', () => {
    fc.assert(
      fc.property(messageArbitrary(schema), messageArbitrary(schema), (first, second) => {
        expectSameAsProtobufEs(schema, concat(toBinary(schema, first as never), toBinary(schema, second as never)));
      }),
      { numRuns: runs / 2 },
    );
  }, TIMEOUT_MS);

  it('skips unknown fields wherever they appear at the top level', () => {
    const unknownRecord = fc
      .tuple(fc.integer({ min: 1000, max: 536870911 }), fc.uint8Array({ maxLength: 8 }))
      .map(([field, content]) => {
        const tag = field * 8 + 2;
        const varint = (n: number) => {
          const out: number[] = [];
          while (n >= 0x80) {
            out.push((n % 0x80) | 0x80);
            n = Math.floor(n / 0x80);
          }
          out.push(n);
          return out;
        };
        return new Uint8Array([...varint(tag), ...varint(content.length), ...content]);
      });
    fc.assert(
      fc.property(messageArbitrary(schema), unknownRecord, unknownRecord, (message, before, after) => {
        expectSameAsProtobufEs(schema, concat(concat(before, toBinary(schema, message as never)), after));
      }),
      { numRuns: runs / 2 },
    );
  }, TIMEOUT_MS);
});

describe('protobufToJson on arbitrary bytes', () => {
  it('returns valid JSON or throws JsonEncodeError, never anything else', () => {
    const mutated = fc
      .tuple(messageArbitrary(PayloadSchema), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat())
      .map(([message, edits, cut]) => {
        const bytes = toBinary(PayloadSchema, message as never).slice();
        for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value;
        return bytes.subarray(0, bytes.length === 0 ? 0 : bytes.length - (cut % 3));
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), (bytes) => {
        for (const schema of schemas) {
          let text: string;
          try {
            text = protobufToJson(schema, bytes);
          } catch (error) {
            if (error instanceof JsonEncodeError) continue;
            throw error;
          }
          expect(() => JSON.parse(text)).not.toThrow();
        }
      }),
      { numRuns: 3000 },
    );
  }, TIMEOUT_MS);
});
