import { create, createRegistry, equals, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VehicleAlertsSchema } from '../src/gen/vehicle_alert_pb.js';
import { VehicleConnectivitySchema } from '../src/gen/vehicle_connectivity_pb.js';
import { PayloadSchema } from '../src/gen/vehicle_data_pb.js';
import { VehicleErrorsSchema } from '../src/gen/vehicle_error_pb.js';
import { PayloadDecodeError, transformPayload } from '../src/records/index.js';
import { mutated, payloadOf, vehicleDataPayload } from './records-arbitraries.js';
import { decodeStrictly, transformPayloadReference } from './records-reference.js';
import { varint } from './records-wire.js';

// A fixed seed keeps runs reproducible; the generators still cover thousands of shapes.
fc.configureGlobal({ seed: 0x5eed_2024, endOnFailure: true });
const PROPERTY_TIMEOUT_MS = 120_000;

const CERTIFICATE_VIN = '5YJ3E1EA7KF317000';
const vins = fc.oneof(fc.constant(CERTIFICATE_VIN), fc.string({ maxLength: 17 }));
const certificateVins = fc.oneof(fc.constant(CERTIFICATE_VIN), fc.constant(''), fc.string({ maxLength: 17 }));

type Outcome = { ok: true; bytes: Uint8Array } | { ok: false; error: unknown };

function outcome(run: () => Uint8Array): Outcome {
  try {
    return { ok: true, bytes: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Same message after decoding, unknown fields included; compared field by field and as
 * re-encoded bytes (which, unlike `equals`, tells -0 from 0 and NaN from NaN apart).
 */
function expectSameMessage(schema: DescMessage, actual: Uint8Array, expected: Uint8Array): void {
  // What the sinks get must itself pass the strictest decoding.
  const actualMessage = decodeStrictly(schema, actual);
  const expectedMessage = fromBinary(schema, expected);
  expect(equals(schema, actualMessage, expectedMessage, { registry: createRegistry(), unknown: true })).toBe(true);
  expect(toBinary(schema, actualMessage)).toEqual(toBinary(schema, expectedMessage));
}

/** Both paths accept or both reject; the fast one only ever with PayloadDecodeError. */
function expectAgreement(recordType: string, schema: DescMessage, payload: Uint8Array, vin: string): void {
  const reference = outcome(() => transformPayloadReference(recordType, payload, vin));
  const fast = outcome(() => transformPayload(recordType, payload, vin));
  if (!fast.ok) expect(fast.error).toBeInstanceOf(PayloadDecodeError);
  expect(fast.ok, `reference ${reference.ok ? 'accepted' : `rejected: ${String(reference.error)}`}`).toBe(reference.ok);
  if (fast.ok && reference.ok) expectSameMessage(schema, fast.bytes, reference.bytes);
}

describe('V records: wire-level transform against protobuf-es', () => {
  it('produces the same Payload for generated payloads', () => {
    fc.assert(
      fc.property(vehicleDataPayload(vins), certificateVins, (payload, vin) => {
        const fast = transformPayload('V', payload, vin);
        expectSameMessage(PayloadSchema, fast, transformPayloadReference('V', payload, vin));
      }),
      { numRuns: 2000 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('rejects exactly the damaged payloads that a strict decoder rejects', () => {
    fc.assert(
      fc.property(mutated(vehicleDataPayload(vins)), certificateVins, (payload, vin) => {
        expectAgreement('V', PayloadSchema, payload, vin);
      }),
      { numRuns: 2500 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('agrees on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (payload) => {
        expectAgreement('V', PayloadSchema, payload, CERTIFICATE_VIN);
      }),
      { numRuns: 1500 },
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe.each([
  ['alerts', VehicleAlertsSchema],
  ['errors', VehicleErrorsSchema],
  ['connectivity', VehicleConnectivitySchema],
] as const)('%s records against protobuf-es', (recordType, schema) => {
  it('produces the same message for generated payloads', () => {
    fc.assert(
      fc.property(payloadOf(schema), certificateVins, (payload, vin) => {
        expectSameMessage(schema, transformPayload(recordType, payload, vin), transformPayloadReference(recordType, payload, vin));
      }),
      { numRuns: 300 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('rejects exactly the damaged payloads that a strict decoder rejects', () => {
    fc.assert(
      fc.property(mutated(payloadOf(schema)), certificateVins, (payload, vin) => {
        expectAgreement(recordType, schema, payload, vin);
      }),
      { numRuns: 600 },
    );
  }, PROPERTY_TIMEOUT_MS);
});

describe('alerts with millisecond timestamps against protobuf-es', () => {
  // Seconds around the threshold and real dates in ms, some past 2^53; nanos sometimes set.
  const seconds = fc.oneof(
    fc.bigInt({ min: 0n, max: 2_000_000_000n }),
    fc.bigInt({ min: 315_575_999_990n, max: 315_576_000_010n }),
    fc.bigInt({ min: 1_600_000_000_000n, max: 1_800_000_000_000n }),
    fc.bigInt({ min: 2n ** 53n - 5n, max: 2n ** 53n + 5n }),
    fc.bigInt({ min: -(2n ** 40n), max: -1n }),
  );
  const timestamp = fc.option(fc.record({ seconds, nanos: fc.integer({ min: 0, max: 999_999_999 }) }), { nil: undefined });
  const alert = fc.record({
    name: fc.string({ maxLength: 8 }),
    audiences: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
    startedAt: timestamp,
    endedAt: timestamp,
  });
  const payloads = fc
    .record({ alerts: fc.array(alert, { maxLength: 4 }), vin: vins })
    .map((init) => toBinary(VehicleAlertsSchema, create(VehicleAlertsSchema, init)));

  it('converts exactly as decoding, converting and re-encoding does', () => {
    fc.assert(
      fc.property(payloads, certificateVins, (payload, vin) => {
        expectSameMessage(VehicleAlertsSchema, transformPayload('alerts', payload, vin), transformPayloadReference('alerts', payload, vin));
      }),
      { numRuns: 1500 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('agrees on alerts whose timestamps repeat or carry unknown fields', () => {
    const inMilliseconds = [0x08, ...varint(1_692_044_886_337n)];
    const extras = fc.array(
      fc.constantFrom(
        [0x1a, inMilliseconds.length, ...inMilliseconds], // started_at again, in ms
        [0x1a, 0x02, 0x08, 0x05], // started_at again, in seconds
        [0x22, 0x00], // an empty ended_at
        [0x22, inMilliseconds.length + 2, ...inMilliseconds, 0x18, 0x01], // ended_at with an unknown field
        [0x1a, inMilliseconds.length + 2, ...inMilliseconds, 0x10, 0x07], // started_at with nanos
      ),
      { maxLength: 3 },
    );
    fc.assert(
      fc.property(payloads, extras, certificateVins, (payload, parts, vin) => {
        // One more alert made of the chosen timestamp occurrences, after the generated ones.
        const content = [0x1a, inMilliseconds.length, ...inMilliseconds, ...parts.flat()];
        const withExtra = Uint8Array.from([...payload, 0x0a, ...varint(content.length), ...content]);
        expectSameMessage(VehicleAlertsSchema, transformPayload('alerts', withExtra, vin), transformPayloadReference('alerts', withExtra, vin));
      }),
      { numRuns: 500 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
