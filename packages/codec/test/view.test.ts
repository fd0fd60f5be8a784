import { create, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import {
  Audience,
  ConnectivityEvent,
  Field,
  PayloadSchema,
  ShiftState,
  VehicleAlertsSchema,
  VehicleConnectivitySchema,
  VehicleErrorsSchema,
  protobufToJson,
  readableRecord,
} from '../src/index.js';
import type { MediaStatus, ValueSchema } from '../src/index.js';

const encode = <S extends DescMessage>(schema: S, init: MessageInitShape<S>) => toBinary(schema, create(schema, init));

type ValueInit = MessageInitShape<typeof ValueSchema>['value'];
const payload = (vin: string, ...data: [Field, ValueInit][]) =>
  encode(PayloadSchema, {
    vin,
    createdAt: timestampFromMs(1718100000123),
    data: data.map(([key, value]) => ({ key, value: { value } })),
  });

const CAR = '5YJ3E1EA7KF317000';
const SEMI = '1XPTD40X6JD000000';

describe('readableRecord: V', () => {
  const bytes = payload(
    CAR,
    [Field.VehicleName, { case: 'stringValue', value: 'CyberBeast' }],
    [Field.Odometer, { case: 'intValue', value: 50000 }],
    [Field.BatteryLevel, { case: 'floatValue', value: 75.3 }],
    [Field.EstBatteryRange, { case: 'doubleValue', value: 211.37 }],
    [Field.MilesToArrival, { case: 'longValue', value: 17n }],
    [Field.ChargeAmps, { case: 'longValue', value: 9007199254740993n }],
    [Field.SentryMode, { case: 'booleanValue', value: true }],
    [Field.Gear, { case: 'shiftStateValue', value: ShiftState.ShiftStateD }],
    [Field.BMSState, { case: 'invalid', value: true }],
    [Field.Location, { case: 'locationValue', value: { latitude: 37.412374, longitude: -122.145867 } }],
    [Field.DoorState, { case: 'doorValue', value: { DriverFront: true } }],
    [Field.ScheduledChargingStartTime, { case: 'timeValue', value: { hour: 7, minute: 5, second: 9 } }],
    [Field.TpmsHardWarnings, { case: 'tireLocationValue', value: { rearLeft: true } }],
    [Field.MediaPlaybackStatus, { case: 'mediaStatusValue', value: 99 as MediaStatus }],
  );

  it('maps field names to plain values', () => {
    expect(readableRecord('V', bytes)).toEqual({
      Vin: CAR,
      CreatedAt: '2024-06-11T10:00:00Z',
      VehicleName: 'CyberBeast',
      Odometer: 50000,
      BatteryLevel: 75.3,
      EstBatteryRange: 211.37,
      MilesToArrival: 17,
      ChargeAmps: '9007199254740993',
      SentryMode: true,
      Gear: 'ShiftStateD',
      BMSState: '<invalid>',
      Location: { latitude: 37.412374, longitude: -122.145867 },
      DoorState: { DriverFront: true, PassengerFront: false, DriverRear: false, PassengerRear: false, TrunkFront: false, TrunkRear: false },
      ScheduledChargingStartTime: '07:05:09',
      TpmsHardWarnings: { FrontLeft: false, FrontRight: false, RearLeft: true, RearRight: false },
      MediaPlaybackStatus: '99',
    });
  });

  it('wraps each value with its type name when typed, as the verbose logger does', () => {
    const typed = readableRecord('V', bytes, { typed: true }) as Record<string, unknown>;
    expect(typed['VehicleName']).toEqual({ stringValue: 'CyberBeast' });
    expect(typed['Odometer']).toEqual({ intValue: 50000 });
    expect(typed['BatteryLevel']).toEqual({ floatValue: 75.3 });
    expect(typed['MilesToArrival']).toEqual({ longValue: 17 });
    expect(typed['Gear']).toEqual({ shiftStateValue: 'ShiftStateD' });
    expect(typed['BMSState']).toEqual({ invalid: true });
    expect(typed['Location']).toEqual({ locationValue: { latitude: 37.412374, longitude: -122.145867 } });
    expect(typed['ScheduledChargingStartTime']).toEqual({ time: '07:05:09' });
    expect(typed['TpmsHardWarnings']).toMatchObject({ tireLocation: { RearLeft: true } });
    expect(typed['MediaPlaybackStatus']).toEqual({ mediaStatus: '99' });
    expect(typed['Vin']).toBe(CAR);
  });

  it('names a Semi\'s tires by axle', () => {
    const semi = payload(SEMI, [Field.TpmsHardWarnings, { case: 'tireLocationValue', value: { rearLeft: true, semiRearAxleRight2: true } }]);
    expect(readableRecord('V', semi)).toMatchObject({
      TpmsHardWarnings: {
        FrontLeft: false,
        FrontRight: false,
        SemiMiddleAxleLeft: true,
        SemiMiddleAxleRight: false,
        SemiMiddleAxleLeft2: false,
        SemiMiddleAxleRight2: false,
        SemiRearAxleLeft: false,
        SemiRearAxleRight: false,
        SemiRearAxleLeft2: false,
        SemiRearAxleRight2: true,
      },
    });
  });

  it('leaves out data without a value and names unknown fields by number', () => {
    const bytes = encode(PayloadSchema, {
      vin: CAR,
      data: [{ key: Field.Soc }, { key: Field.Gear, value: {} }, { key: 9999 as Field, value: { value: { case: 'intValue', value: 1 } } }],
    });
    expect(readableRecord('V', bytes)).toEqual({ Vin: CAR, CreatedAt: '1970-01-01T00:00:00Z', 9999: 1 });
  });

  it('reads the canonical JSON encoding too', () => {
    const json = new TextEncoder().encode(protobufToJson(PayloadSchema, bytes));
    expect(readableRecord('V', json, { encoding: 'json' })).toEqual(readableRecord('V', bytes));
  });
});

describe('readableRecord: alerts, errors, connectivity, others', () => {
  it('lists alerts with epoch seconds and audience names', () => {
    const bytes = encode(VehicleAlertsSchema, {
      vin: CAR,
      alerts: [
        { name: 'BMS_a066', audiences: [Audience.Customer, Audience.Service], startedAt: { seconds: 1718100000n }, endedAt: { seconds: 1718100060n } },
        { name: 'still active', startedAt: { seconds: 1718100001n, nanos: 900000000 } },
      ],
    });
    expect(readableRecord('alerts', bytes)).toEqual([
      { Name: 'BMS_a066', StartedAt: 1718100000, EndedAt: 1718100060, Audiences: ['Customer', 'Service'] },
      { Name: 'still active', StartedAt: 1718100001, Audiences: null },
    ]);
  });

  it('lists errors with their tags', () => {
    const bytes = encode(VehicleErrorsSchema, {
      errors: [
        { name: 'can_timeout', body: 'bus off', tags: { zone: 'rear' }, createdAt: { seconds: 1718100000n } },
        { name: 'bare' },
      ],
    });
    expect(readableRecord('errors', bytes)).toEqual([
      { Name: 'can_timeout', Body: 'bus off', Tags: { zone: 'rear' }, CreatedAt: 1718100000 },
      { Name: 'bare', Body: '', Tags: null },
    ]);
  });

  it('maps a connectivity event', () => {
    const bytes = encode(VehicleConnectivitySchema, {
      vin: CAR,
      connectionId: 'c0ffee',
      networkInterface: 'wifi',
      status: ConnectivityEvent.CONNECTED,
      createdAt: { seconds: 1718100000n },
    });
    expect(readableRecord('connectivity', bytes)).toEqual({
      Vin: CAR,
      ConnectionID: 'c0ffee',
      NetworkInterface: 'wifi',
      Status: 'CONNECTED',
      CreatedAt: 1718100000,
    });
  });

  it('shows other record types as base64, and bytes that do not decode with the error', () => {
    expect(readableRecord('mystery', new Uint8Array([1, 2, 3]))).toEqual({ raw: 'AQID' });
    const broken = readableRecord('V', new Uint8Array([0x0a, 0x05])) as Record<string, unknown>;
    expect(broken['raw']).toBe('CgU=');
    expect(broken['error']).toEqual(expect.any(String));
  });

  it('gives values a structured logger can write', () => {
    const bytes = payload(CAR, [Field.ChargeAmps, { case: 'longValue', value: -(2n ** 63n) }], [Field.Soc, { case: 'floatValue', value: NaN }]);
    const readable = readableRecord('V', bytes);
    expect(() => JSON.stringify(readable)).not.toThrow();
    expect(readable).toMatchObject({ ChargeAmps: '-9223372036854775808', Soc: 'NaN' });
  });
});
