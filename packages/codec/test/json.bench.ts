import { fromBinary, toJsonString } from '@bufbuild/protobuf';
import { bench, describe } from 'vitest';
import { PayloadSchema, protobufToJson } from '../src/index.js';
import { realisticPayload } from './fixtures/json/realistic-payload.js';

// npx vitest bench --run test/json.bench.ts
// A realistic V record: 20 signals of mixed types and one location (287 bytes → 1,250 chars).
const payloads = Array.from({ length: 64 }, (_, i) => realisticPayload(i));
const parsed = payloads.map((bytes) => JSON.parse(protobufToJson(PayloadSchema, bytes)) as unknown);
let next = 0;
const pick = () => payloads[next++ & 63]!;

describe('V record to canonical JSON', () => {
  bench('protobufToJson (wire bytes → JSON text)', () => {
    protobufToJson(PayloadSchema, pick());
  });

  bench('protobuf-es fromBinary + toJsonString (alwaysEmitImplicit)', () => {
    toJsonString(PayloadSchema, fromBinary(PayloadSchema, pick()), { alwaysEmitImplicit: true });
  });

  bench('baseline: JSON.stringify of the same data, already parsed', () => {
    JSON.stringify(parsed[next++ & 63]);
  });
});
