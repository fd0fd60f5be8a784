import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { VehicleAlertsSchema } from '../src/gen/vehicle_alert_pb.js';
import { VehicleConnectivitySchema } from '../src/gen/vehicle_connectivity_pb.js';
import { Field, PayloadSchema, type DatumSchema } from '../src/gen/vehicle_data_pb.js';
import { VehicleErrorsSchema } from '../src/gen/vehicle_error_pb.js';
import { countTopLevelField, PayloadDecodeError, transformPayload, type PayloadDecodeReason } from '../src/records/index.js';
import { bytesOf, field, tag } from './records-wire.js';

const VIN = '5YJ3E1EA7KF317000';

type DatumInit = MessageInitShape<typeof DatumSchema>;

function stringDatum(key: Field, text: string): DatumInit {
  return { key, value: { value: { case: 'stringValue', value: text } } };
}

function vehicleData(data: DatumInit[], vin = ''): Uint8Array {
  return toBinary(PayloadSchema, create(PayloadSchema, { data, vin }));
}

function transformV(payload: Uint8Array, vin = VIN) {
  return fromBinary(PayloadSchema, transformPayload('V', payload, vin));
}

/** The value of the only datum after the V transform. */
function transformedValue(key: Field, text: string) {
  return transformV(vehicleData([stringDatum(key, text)])).data[0]?.value?.value;
}

describe('V: location strings', () => {
  it.each([
    ['(37.412374 N, 122.145867 E)', 37.412374, 122.145867],
    ['(37.412374 S, 122.145867 E)', -37.412374, 122.145867],
    ['(37.412374 N, 122.145867 W)', 37.412374, -122.145867],
    ['(37.412374 S, 122.145867 W)', -37.412374, -122.145867],
  ])('%s becomes a location_value', (text, latitude, longitude) => {
    expect(transformedValue(Field.Location, text)).toEqual({
      case: 'locationValue',
      value: expect.objectContaining({ latitude, longitude }),
    });
  });

  it('writes -0 for a southern or western zero, as Go does', () => {
    const location = transformedValue(Field.Location, '(0.000000 S, 0.000000 W)');
    expect(location?.case).toBe('locationValue');
    const value = location?.value as { latitude: number; longitude: number };
    expect(Object.is(value.latitude, -0) && Object.is(value.longitude, -0)).toBe(true);
  });

  it.each([
    '(37.412374 X, 122.145867 W)',
    '(37.412374 N,122.145867 W)',
    '37.412374 N, 122.145867 W',
    '(37.412374 N, 122.145867 W',
    '( N, W)',
    'somewhere',
  ])('leaves the malformed %j as a string', (text) => {
    expect(transformedValue(Field.Location, text)).toEqual({ case: 'stringValue', value: text });
  });

  it('ignores what follows the closing parenthesis, as Sscanf does', () => {
    expect(transformedValue(Field.Location, '(1.5 N, 2.5 E) and more')).toEqual({
      case: 'locationValue',
      value: expect.objectContaining({ latitude: 1.5, longitude: 2.5 }),
    });
  });

  it('only rewrites the Location field', () => {
    const text = '(37.412374 N, 122.145867 W)';
    expect(transformedValue(Field.DestinationLocation, text)).toEqual({ case: 'stringValue', value: text });
  });

  it('rewrites every Location datum of a payload', () => {
    const payload = vehicleData([stringDatum(Field.Location, '(1.5 N, 2.5 E)'), stringDatum(Field.Location, '(3.5 S, 4.5 W)')]);
    expect(transformV(payload).data.map((datum) => datum.value?.value.case)).toEqual(['locationValue', 'locationValue']);
  });
});

describe('V: numbers in scientific notation', () => {
  it.each([
    ['1.5e-3', '0.00150'],
    ['1.e5', '100000.00000'],
    ['.5e1', '5.00000'],
    ['-2.5E-3', '-0.00250'],
    ['+3.0e2', '300.00000'],
    ['1.1920928955078125e-05', '0.00001'],
    ['1.23e-9', '0.00000'],
    ['-1.0e-9', '-0.00000'],
    // Parsed as a float32 first: the digits beyond its precision change.
    ['1.0e30', '1000000015047466219876688855040.00000'],
  ])('%s becomes %s', (text, rewritten) => {
    expect(transformedValue(Field.BrakePedalPos, text)).toEqual({ case: 'stringValue', value: rewritten });
  });

  it('rounds halfway cases to even like Go, where toFixed rounds away from zero', () => {
    // 0.046875 is exactly 3/64: halfway between 0.04687 and 0.04688 at 5 decimals.
    expect((0.015625).toFixed(5)).toBe('0.01563');
    expect(transformedValue(Field.BrakePedalPos, '1.5625e-2')).toEqual({ case: 'stringValue', value: '0.01562' });
    expect(transformedValue(Field.BrakePedalPos, '4.6875e-2')).toEqual({ case: 'stringValue', value: '0.04688' });
  });

  it.each(['1e5', '0.00000012', '0.03', '3', '1.5e', 'e5', '1.5e3 ', '1.5x3', '3.4028236e38', ''])(
    'leaves %j as it is',
    (text) => {
      expect(transformedValue(Field.BrakePedalPos, text)).toEqual({ case: 'stringValue', value: text });
    },
  );

  it('rewrites a Location string that is a number rather than a location', () => {
    expect(transformedValue(Field.Location, '1.5e3')).toEqual({ case: 'stringValue', value: '1500.00000' });
  });

  it('keeps a negative key, which takes ten bytes on the wire', () => {
    const payload = bytesOf(field.bytes(1, [...field.varint(1, -7), ...field.bytes(2, field.string(1, '2.5e0'))]));
    expect(transformV(payload).data[0]).toMatchObject({ key: -7, value: { value: { case: 'stringValue', value: '2.50000' } } });
  });
});

describe('V: how fields merge', () => {
  const location = field.bytes(2, field.string(1, '(1.5 N, 2.5 E)'));
  const integer = field.bytes(2, field.varint(2, 5));
  const key = field.varint(1, Field.Location);

  it('follows the value a later Value occurrence sets', () => {
    expect(transformV(bytesOf(field.bytes(1, [...key, ...location, ...integer]))).data[0]?.value?.value).toEqual({
      case: 'intValue',
      value: 5,
    });
    expect(transformV(bytesOf(field.bytes(1, [...key, ...integer, ...location]))).data[0]?.value?.value.case).toBe(
      'locationValue',
    );
  });

  it('keeps the string when a later Value occurrence sets nothing', () => {
    const empty = field.bytes(2, []);
    expect(transformV(bytesOf(field.bytes(1, [...key, ...location, ...empty]))).data[0]?.value?.value.case).toBe(
      'locationValue',
    );
  });

  it('uses the last key of a datum', () => {
    const payload = bytesOf(field.bytes(1, [...key, ...field.varint(1, Field.VehicleName), ...location]));
    expect(transformV(payload).data[0]?.value?.value.case).toBe('stringValue');
  });

  it('keeps the unknown fields of a rewritten datum and drops those of its old value, as the reference does', () => {
    const valueWithUnknown = field.bytes(2, [...field.string(1, '(1.5 N, 2.5 E)'), ...field.varint(20, 9)]);
    const payload = bytesOf(field.bytes(1, [...key, ...field.varint(99, 1), ...valueWithUnknown]));
    const datum = transformV(payload).data[0]!;
    expect(datum.$unknown?.map(({ no, wireType, data }) => ({ no, wireType, data: [...data] }))).toEqual([
      { no: 99, wireType: 0, data: [1] },
    ]);
    expect(datum.value?.$unknown).toBeUndefined();
  });
});

describe('V: the VIN comes from the certificate', () => {
  const datum = stringDatum(Field.VehicleName, 'Cherry');

  it('replaces a spoofed VIN', () => {
    expect(transformV(vehicleData([datum], 'SPOOFED')).vin).toBe(VIN);
  });

  it('adds a missing VIN', () => {
    expect(transformV(vehicleData([datum])).vin).toBe(VIN);
  });

  it('leaves a single VIN field after duplicates', () => {
    const payload = bytesOf(field.string(3, VIN), field.string(3, 'SPOOFED'), field.bytes(1, field.varint(1, 5)));
    const out = transformPayload('V', payload, VIN);
    expect(fromBinary(PayloadSchema, out).vin).toBe(VIN);
    expect(out.filter((byte) => byte === 0x1a)).toHaveLength(1);
  });

  it('returns the very same bytes when nothing changes', () => {
    const payload = vehicleData([datum, stringDatum(Field.Version, '2024.44.25')], VIN);
    expect(transformPayload('V', payload, VIN)).toBe(payload);
  });

  it('keeps unknown payload fields where they were', () => {
    const unknown = field.varint(15, 1);
    const payload = bytesOf(unknown, field.string(3, 'SPOOFED'));
    expect([...transformPayload('V', payload, VIN)]).toEqual([...unknown, ...field.string(3, VIN)]);
  });

  it('handles an empty payload', () => {
    const empty = new Uint8Array(0);
    expect(transformV(empty).vin).toBe(VIN);
    expect(transformPayload('V', empty, '')).toBe(empty);
  });
});

describe('alerts', () => {
  const THRESHOLD = 315_576_000_000n;

  function transformAlert(seconds: bigint, nanos: number) {
    const payload = toBinary(
      VehicleAlertsSchema,
      create(VehicleAlertsSchema, {
        vin: 'SPOOFED',
        alerts: [{ name: 'Alert', startedAt: { seconds, nanos }, endedAt: { seconds, nanos } }],
      }),
    );
    return fromBinary(VehicleAlertsSchema, transformPayload('alerts', payload, VIN));
  }

  it('sets the VIN', () => {
    expect(transformAlert(1_600_000_000n, 0).vin).toBe(VIN);
  });

  it('converts timestamps whose seconds are milliseconds, from the threshold on', () => {
    const alert = transformAlert(THRESHOLD, 123).alerts[0]!;
    // Rebuilt from the milliseconds: the nanos that came with them are replaced.
    expect(alert.startedAt).toMatchObject({ seconds: 315_576_000n, nanos: 0 });
    expect(alert.endedAt).toMatchObject({ seconds: 315_576_000n, nanos: 0 });
    expect(transformAlert(1_692_044_886_337n, 0).alerts[0]!.startedAt).toMatchObject({
      seconds: 1_692_044_886n,
      nanos: 337_000_000,
    });
  });

  it('keeps timestamps below the threshold, nanos included', () => {
    expect(transformAlert(THRESHOLD - 1n, 337_000_000).alerts[0]!.startedAt).toMatchObject({
      seconds: THRESHOLD - 1n,
      nanos: 337_000_000,
    });
  });

  it('sets the VIN of an empty payload', () => {
    expect(fromBinary(VehicleAlertsSchema, transformPayload('alerts', new Uint8Array(0), VIN)).vin).toBe(VIN);
  });

  it('leaves an active alert without ended_at', () => {
    const payload = toBinary(VehicleAlertsSchema, create(VehicleAlertsSchema, { alerts: [{ name: 'Alert' }] }));
    expect(fromBinary(VehicleAlertsSchema, transformPayload('alerts', payload, VIN)).alerts[0]!.endedAt).toBeUndefined();
  });

  /** A Timestamp occurrence on the wire: seconds and, when given, nanos. */
  function timestamp(seconds: bigint, nanos?: number): number[] {
    return [...field.varint(1, seconds), ...(nanos === undefined ? [] : field.varint(2, nanos))];
  }

  it('decides on the merged timestamp when an alert repeats one', () => {
    const ms = 1_692_044_886_337n;
    // started_at twice: the later seconds win, so only the second alert holds milliseconds.
    const payload = bytesOf(
      field.bytes(1, [...field.string(1, 'a'), ...field.bytes(3, timestamp(ms, 5)), ...field.bytes(3, timestamp(1_600_000_000n))]),
      field.bytes(1, [...field.string(1, 'b'), ...field.bytes(3, timestamp(1_600_000_000n, 5)), ...field.bytes(3, timestamp(ms))]),
      field.string(3, VIN),
    );
    const result = fromBinary(VehicleAlertsSchema, transformPayload('alerts', payload, VIN));
    expect(result.alerts.map((alert) => [alert.name, alert.startedAt?.seconds, alert.startedAt?.nanos])).toEqual([
      ['a', 1_600_000_000n, 5],
      ['b', 1_692_044_886n, 337_000_000],
    ]);
    expect(result.vin).toBe(VIN);
  });

  it('keeps the bytes of alerts that need nothing, and of the whole payload when nothing changes', () => {
    const plain = field.bytes(1, [...field.string(1, 'plain'), ...field.bytes(3, timestamp(1_600_000_000n, 1)), 0x28, 0x07]);
    const unchanged = bytesOf(plain, field.string(3, VIN));
    expect(transformPayload('alerts', unchanged, VIN)).toBe(unchanged);
    // A negative seconds value is a 10-byte varint: looked at closely, and kept.
    const negative = bytesOf(field.bytes(1, field.bytes(4, timestamp(-5n))), field.string(3, VIN));
    expect(transformPayload('alerts', negative, VIN)).toBe(negative);
    const converted = transformPayload('alerts', bytesOf(plain, field.bytes(1, field.bytes(4, timestamp(THRESHOLD)))), VIN);
    // The first alert, unknown field 5 included, is copied as it was.
    expect([...converted.subarray(0, plain.length)]).toEqual(plain);
  });
});

describe.each([
  ['errors', VehicleErrorsSchema],
  ['connectivity', VehicleConnectivitySchema],
] as const)('%s', (recordType, schema) => {
  it('sets the VIN, whatever the payload said', () => {
    const payload = toBinary(schema, create(schema, { vin: 'SPOOFED' }));
    expect(fromBinary(schema, transformPayload(recordType, payload, VIN)).vin).toBe(VIN);
    expect(fromBinary(schema, transformPayload(recordType, new Uint8Array(0), VIN)).vin).toBe(VIN);
  });

  it('returns the same bytes when the VIN is already right', () => {
    const payload = toBinary(schema, create(schema, { vin: VIN }));
    expect(transformPayload(recordType, payload, VIN)).toBe(payload);
  });
});

describe('other record types', () => {
  it('pass through untouched, even when they are not protobuf', () => {
    const payload = new TextEncoder().encode('not protobuf at all');
    expect(transformPayload('D4', payload, VIN)).toBe(payload);
    expect(transformPayload('v', payload, VIN)).toBe(payload);
  });
});

describe('payloads that do not decode', () => {
  const datumWith = (...value: number[][]) => bytesOf(field.bytes(1, field.bytes(2, value.flat())));

  it.each<[string, Uint8Array, PayloadDecodeReason]>([
    ['a length past the end', bytesOf([0x0a, 0x05, 0x08]), 'truncated'],
    ['a datum field overrunning its datum', bytesOf([0x0a, 0x02, 0x12, 0x05, 0, 0, 0, 0, 0]), 'truncated'],
    ['a truncated double', datumWith([0x29, 0, 0, 0]), 'truncated'],
    ['an 11-byte varint', bytesOf([0x20, ...Array<number>(10).fill(0x80), 0x01]), 'malformed-varint'],
    ['a varint beyond 64 bits', bytesOf([0x20, ...Array<number>(9).fill(0xff), 0x02]), 'malformed-varint'],
    ['field number 0', bytesOf([0x00, 0x01]), 'invalid-tag'],
    ['wire type 7', bytesOf([0x0f]), 'invalid-tag'],
    ['a tag beyond 32 bits', bytesOf([0x80, 0x80, 0x80, 0x80, 0x10, 0x00]), 'invalid-tag'],
    ['a string sent as a varint', bytesOf(field.varint(3, 5)), 'wire-type-mismatch'],
    ['a double sent as fixed32', datumWith([...tag(5, 5), 0, 0, 0, 0]), 'wire-type-mismatch'],
    ['invalid UTF-8 in the VIN', bytesOf([0x1a, 0x02, 0xc3, 0x28]), 'invalid-utf8'],
    ['a UTF-16 surrogate in a string value', datumWith(field.bytes(1, [0xed, 0xa0, 0x80])), 'invalid-utf8'],
    ['an end-group tag alone', bytesOf(tag(9, 4)), 'unmatched-group'],
    ['a group closed by another field', bytesOf(tag(9, 3), tag(10, 4)), 'unmatched-group'],
    ['an unterminated group', bytesOf(tag(9, 3)), 'truncated'],
    ['groups nested too deep', bytesOf(...Array.from({ length: 120 }, () => tag(9, 3))), 'too-deep'],
  ])('rejects %s', (_, payload, reason) => {
    expect(() => transformPayload('V', payload, VIN)).toThrow(expect.objectContaining({ name: 'PayloadDecodeError', reason }));
  });

  it.each(['alerts', 'errors', 'connectivity'])('rejects a damaged %s payload', (recordType) => {
    expect(() => transformPayload(recordType, bytesOf([0x0a, 0x05]), VIN)).toThrow(PayloadDecodeError);
  });

  it('names the message and the offset', () => {
    const error = (() => {
      try {
        transformPayload('V', bytesOf([0x1a, 0x02, 0xc3, 0x28]), VIN);
      } catch (caught) {
        return caught as PayloadDecodeError;
      }
      return undefined;
    })();
    expect(error).toMatchObject({ messageName: 'telemetry.vehicle_data.Payload', offset: 2 });
    expect(error?.message).toBe('cannot decode telemetry.vehicle_data.Payload: invalid-utf8 at byte 2');
  });
});

describe('transform stats', () => {
  const stats = { signals: -1 };

  it.each([
    ['V', vehicleData([stringDatum(Field.VehicleName, 'car'), stringDatum(Field.Location, '(37.4 N, 122.1 E)')], 'OTHER')],
    ['V', vehicleData([stringDatum(Field.VehicleName, 'car')], VIN)],
    ['V', vehicleData([])],
    ['alerts', toBinary(VehicleAlertsSchema, create(VehicleAlertsSchema, { vin: VIN, alerts: [{ name: 'a' }, { name: 'b' }] }))],
    [
      'alerts',
      toBinary(
        VehicleAlertsSchema,
        create(VehicleAlertsSchema, { vin: 'OTHER', alerts: [{ name: 'a', startedAt: { seconds: 1_692_044_886_337n } }] }),
      ),
    ],
  ])('count the %s signals of the result, changed or not', (recordType, payload) => {
    const result = transformPayload(recordType, payload, VIN, stats);
    expect(stats.signals).toBe(countTopLevelField(result, 1));
  });

  it('counts every data entry, empty ones included, as countTopLevelField does', () => {
    const payload = bytesOf(field.bytes(1, []), field.bytes(1, []), field.bytes(1, field.varint(1, 5)));
    const result = transformPayload('V', payload, VIN, stats);
    expect(stats.signals).toBe(3);
    expect(stats.signals).toBe(countTopLevelField(result, 1));
  });

  it.each(['errors', 'connectivity', 'unknown'])('are 0 for %s', (recordType) => {
    stats.signals = 7;
    transformPayload(recordType, new Uint8Array(0), VIN, stats);
    expect(stats.signals).toBe(0);
  });
});
