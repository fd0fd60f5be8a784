import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VehicleAlertsSchema } from '../src/gen/vehicle_alert_pb.js';
import { VehicleConnectivitySchema } from '../src/gen/vehicle_connectivity_pb.js';
import { Field, PayloadSchema, ValueSchema, type DatumSchema, type ShiftState } from '../src/gen/vehicle_data_pb.js';
import { VehicleErrorsSchema } from '../src/gen/vehicle_error_pb.js';
import { protobufToJsonBytes } from '../src/json/index.js';
import { transformPayload, transformPayloadToJsonBytes } from '../src/records/index.js';
import { vehicleDataJsonBytes } from '../src/records/vehicle-data-json.js';
import { locationString, messageBytes, mutated, payloadOf, scientificString, vehicleDataPayload } from './records-arbitraries.js';
import { bytesOf, field, tag, type Bytes } from './records-wire.js';

/**
 * transformPayloadToJsonBytes against what it stands for, transformPayload then
 * protobufToJsonBytes: the same bytes, or the same error. The one-pass V writer is also checked
 * on its own, so that the cases meant for it are known to go through it rather than through the
 * transform-then-write path it falls back on.
 */

fc.configureGlobal({ seed: 0x5eed_2024, endOnFailure: true });
const PROPERTY_TIMEOUT_MS = 120_000;

const VIN = '5YJ3E1EA7KF317000';
const SCHEMAS = {
  V: PayloadSchema,
  alerts: VehicleAlertsSchema,
  errors: VehicleErrorsSchema,
  connectivity: VehicleConnectivitySchema,
} as const;
type RecordType = keyof typeof SCHEMAS;

type Outcome = { ok: true; json: string } | { ok: false; error: unknown };

function outcome(run: () => Uint8Array): Outcome {
  try {
    return { ok: true, json: Buffer.from(run()).toString('utf8') };
  } catch (error) {
    return { ok: false, error };
  }
}

function transformThenWrite(recordType: RecordType, payload: Uint8Array, vin: string): Outcome {
  return outcome(() => protobufToJsonBytes(SCHEMAS[recordType], transformPayload(recordType, payload, vin)));
}

/** The error as far as a caller can tell: its class, reason, message and (decode errors) offset. */
function describeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  return { name: error.name, message: error.message, ...(error as unknown as Record<string, unknown>) };
}

/**
 * The public function agrees with transform-then-write; the one-pass writer, where it answers,
 * writes the same bytes, and never answers for input the other path rejects. Returns whether
 * the one-pass writer answered.
 */
function expectAgreement(recordType: RecordType, payload: Uint8Array, vin: string): boolean {
  const expected = transformThenWrite(recordType, payload, vin);
  const actual = outcome(() => transformPayloadToJsonBytes(recordType, payload, vin));
  if (expected.ok) expect(actual).toEqual(expected);
  else {
    expect(actual.ok, 'accepted what transform-then-write rejects').toBe(false);
    if (!actual.ok) expect(describeError(actual.error)).toEqual(describeError(expected.error));
  }
  if (recordType !== 'V') return false;
  const fused = vehicleDataJsonBytes(payload, vin);
  if (fused === undefined) return false;
  expect(expected.ok, 'the one-pass writer accepted what transform-then-write rejects').toBe(true);
  if (expected.ok) expect(Buffer.from(fused).toString('utf8')).toBe(expected.json);
  return true;
}

/** Agreement, through the one-pass writer. */
function expectFused(payload: Uint8Array, vin = VIN): string {
  expect(expectAgreement('V', payload, vin), 'taken by the one-pass writer').toBe(true);
  return Buffer.from(vehicleDataJsonBytes(payload, vin)!).toString('utf8');
}

type DatumInit = MessageInitShape<typeof DatumSchema>;

function stringDatum(key: Field, text: string): DatumInit {
  return { key, value: { value: { case: 'stringValue', value: text } } };
}

function vehicleData(data: DatumInit[], vin = ''): Uint8Array {
  return toBinary(PayloadSchema, create(PayloadSchema, { data, vin, createdAt: { seconds: 1_718_100_000n, nanos: 5 } }));
}

function datumBytes(key: number, value: Bytes): number[] {
  return field.bytes(1, [...field.varint(1, key), ...field.bytes(2, value)]);
}

describe('transformPayloadToJsonBytes on Go fixtures', () => {
  interface GoldenCase {
    schema: string;
    hex: string;
  }
  const golden = JSON.parse(
    readFileSync(new URL('./fixtures/json/golden/golden.json', import.meta.url), 'utf8'),
  ) as GoldenCase[];

  it('agrees on every Payload of the protojson fixture', () => {
    const payloads = golden.filter((c) => c.schema === PayloadSchema.typeName);
    expect(payloads.length).toBeGreaterThan(200);
    let fused = 0;
    for (const c of payloads) if (expectAgreement('V', Buffer.from(c.hex, 'hex'), VIN)) fused++;
    expect(fused).toBeGreaterThan(payloads.length / 2);
  });

  it('agrees on every Value of the protojson fixture, as the value of a Location datum and of another', () => {
    const values = golden.filter((c) => c.schema === ValueSchema.typeName);
    expect(values.length).toBeGreaterThan(2000);
    let fused = 0;
    for (const c of values) {
      const value = [...Buffer.from(c.hex, 'hex')];
      for (const key of [Field.Location, Field.Odometer]) {
        if (expectAgreement('V', bytesOf(datumBytes(key, value), field.string(3, 'SPOOFED')), VIN)) fused++;
      }
    }
    expect(fused).toBeGreaterThan(values.length);
  });

  it('agrees on the V payloads Go accepts and rejects', () => {
    const verdicts = JSON.parse(
      readFileSync(new URL('./fixtures/records/go-wire-verdicts.json', import.meta.url), 'utf8'),
    ) as { recordType: string; payload: string }[];
    const cases = verdicts.filter((c) => c.recordType === 'V');
    expect(cases.length).toBeGreaterThan(150);
    for (const c of cases) expectAgreement('V', Buffer.from(c.payload, 'base64'), VIN);
  });

  it('rewrites the location and scientific strings of the Go corpus as the transform does', () => {
    const strings = JSON.parse(
      readFileSync(new URL('./fixtures/records/go-string-transforms.json', import.meta.url), 'utf8'),
    ) as { location: { input: string }[]; scientific: { input: string }[] };
    for (const { input } of strings.location) expectFused(vehicleData([stringDatum(Field.Location, input)]));
    for (const { input } of strings.scientific) expectFused(vehicleData([stringDatum(Field.BrakePedalPos, input)]));
  });
});

describe('transformPayloadToJsonBytes: V transforms', () => {
  it.each([
    ['(37.412374 N, 122.145867 E)', 37.412374, 122.145867],
    ['(37.412374 S, 122.145867 E)', -37.412374, 122.145867],
    ['(37.412374 N, 122.145867 W)', 37.412374, -122.145867],
    ['(37.412374 S, 122.145867 W)', -37.412374, -122.145867],
    ['(1.5 N, 2.5 E) and more', 1.5, 2.5],
  ])('writes %s as a locationValue', (text, latitude, longitude) => {
    const json = JSON.parse(expectFused(vehicleData([stringDatum(Field.Location, text)]))) as {
      data: { key: string; value: { locationValue: { latitude: number; longitude: number } } }[];
    };
    expect(json.data).toEqual([{ key: 'Location', value: { locationValue: { latitude, longitude } } }]);
  });

  it('writes a southern and western zero as -0, as Go does', () => {
    expect(expectFused(vehicleData([stringDatum(Field.Location, '(0.000000 S, 0.000000 W)')]))).toContain(
      '{"locationValue":{"latitude":-0,"longitude":-0}}',
    );
    expect(expectFused(vehicleData([stringDatum(Field.Location, '(0.0 N, 0.0 E)')]))).toContain(
      '{"locationValue":{"latitude":0,"longitude":0}}',
    );
  });

  it.each([
    '(37.412374 X, 122.145867 W)',
    '(37.412374 N,122.145867 W)',
    '37.412374 N, 122.145867 W',
    '(37.412374 N, 122.145867 W',
    '( N, W)',
    'somewhere',
    '',
  ])('keeps the malformed location %j as a string', (text) => {
    expect(expectFused(vehicleData([stringDatum(Field.Location, text)]))).toContain(
      `{"key":"Location","value":{"stringValue":${JSON.stringify(text)}}}`,
    );
  });

  it('rewrites a location only in the Location field', () => {
    const text = '(37.412374 N, 122.145867 W)';
    expect(expectFused(vehicleData([stringDatum(Field.DestinationLocation, text)]))).toContain(`"stringValue":"${text}"`);
  });

  it.each([
    ['1.5e-3', '0.00150'],
    ['1.e5', '100000.00000'],
    ['.5e1', '5.00000'],
    ['-2.5E-3', '-0.00250'],
    ['+3.0e2', '300.00000'],
    ['1.23e-9', '0.00000'],
    ['-1.0e-9', '-0.00000'],
    ['1.0e30', '1000000015047466219876688855040.00000'],
    ['1.5625e-2', '0.01562'],
  ])('writes the scientific %s as %s', (text, rewritten) => {
    expect(expectFused(vehicleData([stringDatum(Field.BrakePedalPos, text)]))).toContain(
      `{"key":"BrakePedalPos","value":{"stringValue":"${rewritten}"}}`,
    );
  });

  it.each(['1e5', '0.00000012', '0.03', '3', '1.5e', 'e5', '1.5e3 ', '1.5x3', '3.4028236e38', 'tab\there "quoted" é'])(
    'keeps %j as it is',
    (text) => {
      expect(expectFused(vehicleData([stringDatum(Field.BrakePedalPos, text)]))).toContain(
        `"stringValue":${JSON.stringify(text)}`,
      );
    },
  );

  it('rewrites a Location string that is a number rather than a location', () => {
    expect(expectFused(vehicleData([stringDatum(Field.Location, '1.5e3')]))).toContain('"stringValue":"1500.00000"');
  });

  it('keeps negative and unnamed keys as numbers, rewritten or not', () => {
    const json = expectFused(bytesOf(datumBytes(-7, field.string(1, '2.5e0')), datumBytes(9999, field.varint(2, 4))));
    expect(json).toContain('{"key":-7,"value":{"stringValue":"2.50000"}}');
    expect(json).toContain('{"key":9999,"value":{"intValue":4}}');
  });

  it('writes every kind of value the way the JSON writer does', () => {
    const payload = vehicleData([
      { key: Field.Odometer, value: { value: { case: 'doubleValue', value: 18_234.56 } } },
      { key: Field.OutsideTemp, value: { value: { case: 'floatValue', value: 14.25 } } },
      { key: Field.GpsHeading, value: { value: { case: 'intValue', value: -182 } } },
      { key: Field.LifetimeEnergyUsed, value: { value: { case: 'longValue', value: -(2n ** 60n) } } },
      { key: Field.Locked, value: { value: { case: 'booleanValue', value: true } } },
      { key: Field.Gear, value: { value: { case: 'shiftStateValue', value: 3 } } },
      { key: Field.Gear, value: { value: { case: 'shiftStateValue', value: 999 as ShiftState } } },
      { key: Field.DoorState, value: { value: { case: 'doorValue', value: { DriverFront: true } } } },
      { key: Field.Location, value: { value: { case: 'locationValue', value: { latitude: 1, longitude: -0 } } } },
      { key: Field.VehicleName, value: { value: { case: 'invalid', value: true } } },
      { key: Field.VehicleName, value: {} },
      { key: Field.VehicleName },
      {},
    ]);
    const json = expectFused(payload);
    expect(json).toContain('{"key":"VehicleName","value":null}');
    expect(json).toContain('{"key":"VehicleName","value":{}}');
  });
});

describe('transformPayloadToJsonBytes: the VIN and the Payload fields', () => {
  const datum = datumBytes(Field.VehicleName, field.string(1, 'Cherry'));

  it('writes the certificate VIN, whatever and wherever the payload said', () => {
    expect(JSON.parse(expectFused(bytesOf(field.string(3, VIN), field.string(3, 'SPOOFED'), datum))).vin).toBe(VIN);
    expect(JSON.parse(expectFused(bytesOf(field.string(3, 'SPOOFED'), datum, field.string(3, 'AGAIN')))).vin).toBe(VIN);
    expect(JSON.parse(expectFused(bytesOf(datum))).vin).toBe(VIN);
    expect(JSON.parse(expectFused(bytesOf(datum, field.string(3, VIN)), '')).vin).toBe('');
    expect(JSON.parse(expectFused(bytesOf(datum), 'Ünïcode "VIN"')).vin).toBe('Ünïcode "VIN"');
  });

  it('writes an empty payload', () => {
    expect(expectFused(new Uint8Array(0))).toBe(`{"data":[],"createdAt":null,"vin":"${VIN}","isResend":false}`);
    expect(expectFused(new Uint8Array(0), '')).toBe('{"data":[],"createdAt":null,"vin":"","isResend":false}');
  });

  it('takes fields in any order, the last is_resend, and skips unknown fields', () => {
    const createdAt = field.bytes(2, [...field.varint(1, 1_718_100_000), ...field.varint(2, 250_000_000)]);
    const payload = bytesOf(
      field.varint(4, 1),
      createdAt,
      field.varint(15, 7),
      datum,
      field.string(3, 'SPOOFED'),
      [...tag(16, 3), ...field.varint(1, 2), ...tag(16, 4)],
      datumBytes(Field.Location, [...field.string(1, '(1.5 N, 2.5 E)'), ...field.varint(20, 1)]),
      field.varint(4, 0),
      field.bytes(1, [...field.varint(99, 1), ...field.varint(1, Field.Soc), ...field.bytes(2, field.double(5, 7.5))]),
    );
    expect(JSON.parse(expectFused(payload))).toEqual({
      data: [
        { key: 'VehicleName', value: { stringValue: 'Cherry' } },
        { key: 'Location', value: { locationValue: { latitude: 1.5, longitude: 2.5 } } },
        { key: 'Soc', value: { doubleValue: 7.5 } },
      ],
      createdAt: '2024-06-11T10:00:00.250Z',
      vin: VIN,
      isResend: false,
    });
  });

  it('uses the last key of a datum', () => {
    const payload = bytesOf(
      field.bytes(1, [...field.varint(1, Field.Location), ...field.varint(1, Field.VehicleName), ...field.bytes(2, field.string(1, '(1.5 N, 2.5 E)'))]),
    );
    expect(expectFused(payload)).toContain('{"key":"VehicleName","value":{"stringValue":"(1.5 N, 2.5 E)"}}');
  });

  it('follows the last string of a datum whose Value merges, through either path', () => {
    const key = field.varint(1, Field.Location);
    const location = field.bytes(2, field.string(1, '(1.5 N, 2.5 E)'));
    const integer = field.bytes(2, field.varint(2, 5));
    // The rewrite replaces the whole Value, so the one-pass writer takes this one.
    expect(expectFused(bytesOf(field.bytes(1, [...key, ...integer, ...location])))).toContain('"locationValue"');
    // Merged Values that stay are left to the transform-then-write path.
    for (const payload of [bytesOf(field.bytes(1, [...key, ...location, ...integer])), bytesOf(field.bytes(1, [...key, ...integer, ...integer]))]) {
      expect(expectAgreement('V', payload, VIN)).toBe(false);
    }
  });

  it('leaves a repeated created_at to the transform-then-write path', () => {
    const createdAt = field.bytes(2, field.varint(1, 1_718_100_000));
    expect(expectAgreement('V', bytesOf(createdAt, field.bytes(2, field.varint(2, 5))), VIN)).toBe(false);
  });

  it('fails like transform-then-write on a created_at protojson cannot write', () => {
    const payload = bytesOf(field.bytes(2, field.varint(1, 2n ** 40n)), datum);
    expect(() => transformPayloadToJsonBytes('V', payload, VIN)).toThrow(
      expect.objectContaining({ name: 'JsonEncodeError', reason: 'invalid_timestamp' }),
    );
    expectAgreement('V', payload, VIN);
  });
});

describe('transformPayloadToJsonBytes: payloads that do not decode', () => {
  const datumWith = (...value: number[][]) => bytesOf(field.bytes(1, field.bytes(2, value.flat())));

  it.each<[string, Uint8Array]>([
    ['a length past the end', bytesOf([0x0a, 0x05, 0x08])],
    ['a datum field overrunning its datum', bytesOf([0x0a, 0x02, 0x12, 0x05, 0, 0, 0, 0, 0])],
    ['a truncated double', datumWith([0x29, 0, 0, 0])],
    ['an 11-byte varint', bytesOf([0x20, ...Array<number>(10).fill(0x80), 0x01])],
    ['a varint beyond 64 bits', bytesOf([0x20, ...Array<number>(9).fill(0xff), 0x02])],
    ['field number 0', bytesOf([0x00, 0x01])],
    ['wire type 7', bytesOf([0x0f])],
    ['a string sent as a varint', bytesOf(field.varint(3, 5))],
    ['is_resend sent as a string', bytesOf(field.string(4, 'yes'))],
    ['created_at sent as a varint', bytesOf(field.varint(2, 5))],
    ['a double sent as fixed32', datumWith([...tag(5, 5), 0, 0, 0, 0])],
    ['invalid UTF-8 in the VIN', bytesOf([0x1a, 0x02, 0xc3, 0x28])],
    ['invalid UTF-8 in a VIN after the data', bytesOf(field.bytes(1, []), [0x1a, 0x02, 0xc3, 0x28])],
    ['a UTF-16 surrogate in a string value', datumWith(field.bytes(1, [0xed, 0xa0, 0x80]))],
    ['an end-group tag alone', bytesOf(tag(9, 4))],
    ['an unterminated group', bytesOf(tag(9, 3))],
    ['groups nested too deep', bytesOf(...Array.from({ length: 120 }, () => tag(9, 3)))],
    ['a broken datum after a valid one', bytesOf(datumBytes(Field.Soc, field.double(5, 1)), [0x0a, 0x01, 0xff])],
  ])('rejects %s with the same error', (_, payload) => {
    expect(() => transformPayloadToJsonBytes('V', payload, VIN)).toThrow(expect.objectContaining({ name: 'PayloadDecodeError' }));
    expect(vehicleDataJsonBytes(payload, VIN)).toBeUndefined();
    expectAgreement('V', payload, VIN);
  });
});

describe('transformPayloadToJsonBytes: other record types', () => {
  it.each(['alerts', 'errors', 'connectivity'] as const)('writes %s as transform-then-write does', (recordType) => {
    fc.assert(
      fc.property(payloadOf(SCHEMAS[recordType]), fc.constantFrom(VIN, '', 'other'), (payload, vin) => {
        expectAgreement(recordType, payload, vin);
      }),
      { numRuns: 200 },
    );
    expectAgreement(recordType, bytesOf([0x0a, 0x05]), VIN);
  });

  it('refuses record types without a message', () => {
    expect(() => transformPayloadToJsonBytes('D4', new Uint8Array(0), VIN)).toThrow(RangeError);
    expect(() => transformPayloadToJsonBytes('v', new Uint8Array(0), VIN)).toThrow(RangeError);
  });
});

/** A V payload as vehicles write it: each datum a key and one Value of one member, in any order with the rest. */
function vehicleShapedPayload(): fc.Arbitrary<Uint8Array> {
  const strings = fc.oneof(locationString, scientificString, fc.string({ maxLength: 12 }));
  const value = fc.oneof(
    { weight: 4, arbitrary: strings.map((text) => field.string(1, text)) },
    { weight: 4, arbitrary: messageBytes(ValueSchema, {}, 1) },
  );
  const key = fc.oneof(fc.constant(Field.Location), fc.constant(Field.VehicleSpeed), fc.integer({ min: -3, max: 300 }));
  const datum = fc.tuple(key, value).map(([k, v]) => datumBytes(k, v));
  const createdAt = fc
    .tuple(fc.integer({ min: 0, max: 2_000_000_000 }), fc.integer({ min: 0, max: 999_999_999 }))
    .map(([seconds, nanos]) => field.bytes(2, [...field.varint(1, seconds), ...field.varint(2, nanos)]));
  const others = fc.oneof(
    createdAt,
    fc.string({ maxLength: 17 }).map((vin) => field.string(3, vin)),
    fc.boolean().map((resend) => field.varint(4, resend)),
    fc.constant(field.varint(30, 1)),
  );
  return fc
    .tuple(fc.array(datum, { maxLength: 25 }), fc.array(others, { maxLength: 4 }), fc.nat())
    .map(([data, rest, at]) => {
      const parts = [...data];
      // created_at at most once: more would merge, which the one-pass writer leaves alone.
      let sawCreatedAt = false;
      for (const part of rest) {
        if (part[0] === 0x12) {
          if (sawCreatedAt) continue;
          sawCreatedAt = true;
        }
        parts.splice(parts.length === 0 ? 0 : at % (parts.length + 1), 0, part);
      }
      return bytesOf(...parts);
    });
}

describe('transformPayloadToJsonBytes against transform-then-write, generated payloads', () => {
  const vins = fc.oneof(fc.constant(VIN), fc.constant(''), fc.string({ maxLength: 17 }));

  it('writes the same bytes for payloads shaped as vehicles send them, in one pass', () => {
    let fused = 0;
    let total = 0;
    fc.assert(
      fc.property(vehicleShapedPayload(), vins, (payload, vin) => {
        total++;
        if (expectAgreement('V', payload, vin)) fused++;
      }),
      { numRuns: 1500 },
    );
    // Value members that are messages may repeat a field, which the one-pass writer leaves alone.
    expect(fused).toBeGreaterThan(total * 0.8);
  }, PROPERTY_TIMEOUT_MS);

  it('counts the signals transformPayload counts, in one pass or not', () => {
    fc.assert(
      fc.property(fc.oneof(vehicleShapedPayload(), vehicleDataPayload(vins)), vins, (payload, vin) => {
        const written = { signals: -1 };
        const transformed = { signals: -1 };
        try {
          transformPayloadToJsonBytes('V', payload, vin, written);
        } catch {
          return; // Errors agree with transform-then-write: tested above and below.
        }
        transformPayload('V', payload, vin, transformed);
        expect(written.signals).toBe(transformed.signals);
      }),
      { numRuns: 500 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('agrees on generated payloads with merged, repeated and unknown fields', () => {
    let fused = 0;
    fc.assert(
      fc.property(vehicleDataPayload(vins), vins, (payload, vin) => {
        if (expectAgreement('V', payload, vin)) fused++;
      }),
      { numRuns: 1500 },
    );
    expect(fused).toBeGreaterThan(100);
  }, PROPERTY_TIMEOUT_MS);

  it('agrees on damaged payloads, error for error', () => {
    fc.assert(
      fc.property(mutated(fc.oneof(vehicleShapedPayload(), vehicleDataPayload(vins))), vins, (payload, vin) => {
        expectAgreement('V', payload, vin);
      }),
      { numRuns: 2500 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('agrees on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (payload) => {
        expectAgreement('V', payload, VIN);
      }),
      { numRuns: 1500 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
