import { create, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { DurationSchema, timestampFromMs } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import {
  Audience,
  ConnectivityEvent,
  Field,
  JsonEncodeError,
  PayloadSchema,
  ShiftState,
  ValueSchema,
  VehicleAlertsSchema,
  VehicleConnectivitySchema,
  VehicleErrorsSchema,
  VehicleMetricsSchema,
  protobufToJson,
} from '../src/index.js';
import type { Value } from '../src/index.js';
import { KitchenSinkSchema } from './fixtures/json/kitchen-sink.js';

const json = <S extends DescMessage>(schema: S, init: MessageInitShape<S>) =>
  protobufToJson(schema, toBinary(schema, create(schema, init)));

const valueJson = (value: Value['value']) => json(ValueSchema, { value });

/** Asserts a JsonEncodeError with the given reason. */
function expectFailure(schema: DescMessage, bytes: Uint8Array, reason: JsonEncodeError['reason']): void {
  let caught: unknown;
  try {
    protobufToJson(schema, bytes);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(JsonEncodeError);
  expect((caught as JsonEncodeError).reason).toBe(reason);
}

describe('protobufToJson: Payload', () => {
  it('writes every field of an empty payload with its default', () => {
    expect(protobufToJson(PayloadSchema, new Uint8Array())).toBe('{"data":[],"createdAt":null,"vin":"","isResend":false}');
  });

  it('writes a payload with each kind of value', () => {
    const text = json(PayloadSchema, {
      vin: '5YJ3E1EA7KF317000',
      createdAt: timestampFromMs(1718100000123),
      isResend: true,
      data: [
        { key: Field.VehicleName, value: { value: { case: 'stringValue', value: 'Road Runner' } } },
        { key: Field.RatedRange, value: { value: { case: 'intValue', value: -243 } } },
        { key: Field.MilesToArrival, value: { value: { case: 'longValue', value: 9007199254740993n } } },
        { key: Field.VehicleSpeed, value: { value: { case: 'floatValue', value: 64.7 } } },
        { key: Field.Odometer, value: { value: { case: 'doubleValue', value: 12873.412 } } },
        { key: Field.Locked, value: { value: { case: 'booleanValue', value: true } } },
        { key: Field.Location, value: { value: { case: 'locationValue', value: { latitude: 37.412374, longitude: -122.145867 } } } },
        { key: Field.Gear, value: { value: { case: 'shiftStateValue', value: ShiftState.ShiftStateD } } },
        { key: Field.GpsHeading, value: { value: { case: 'invalid', value: true } } },
        { key: Field.DoorState, value: { value: { case: 'doorValue', value: { DriverFront: true, TrunkRear: true } } } },
        { key: Field.ScheduledChargingStartTime, value: { value: { case: 'timeValue', value: { hour: 7, minute: 30 } } } },
        { key: Field.TpmsHardWarnings, value: { value: { case: 'tireLocationValue', value: { frontLeft: true, semiRearAxleLeft2: true } } } },
        { key: Field.Soc, value: {} },
        { key: Field.BatteryLevel },
      ],
    });
    expect(text).toBe(
      '{"data":[' +
        '{"key":"VehicleName","value":{"stringValue":"Road Runner"}},' +
        '{"key":"RatedRange","value":{"intValue":-243}},' +
        '{"key":"MilesToArrival","value":{"longValue":"9007199254740993"}},' +
        '{"key":"VehicleSpeed","value":{"floatValue":64.7}},' +
        '{"key":"Odometer","value":{"doubleValue":12873.412}},' +
        '{"key":"Locked","value":{"booleanValue":true}},' +
        '{"key":"Location","value":{"locationValue":{"latitude":37.412374,"longitude":-122.145867}}},' +
        '{"key":"Gear","value":{"shiftStateValue":"ShiftStateD"}},' +
        '{"key":"GpsHeading","value":{"invalid":true}},' +
        '{"key":"DoorState","value":{"doorValue":{"DriverFront":true,"DriverRear":false,"PassengerFront":false,"PassengerRear":false,"TrunkFront":false,"TrunkRear":true}}},' +
        '{"key":"ScheduledChargingStartTime","value":{"timeValue":{"hour":7,"minute":30,"second":0}}},' +
        '{"key":"TpmsHardWarnings","value":{"tireLocationValue":{"frontLeft":true,"frontRight":false,"rearLeft":false,"rearRight":false,' +
        '"semiMiddleAxleLeft2":false,"semiMiddleAxleRight2":false,"semiRearAxleLeft":false,"semiRearAxleRight":false,"semiRearAxleLeft2":true,"semiRearAxleRight2":false}}},' +
        '{"key":"Soc","value":{}},' +
        '{"key":"BatteryLevel","value":null}' +
        '],"createdAt":"2024-06-11T10:00:00.123Z","vin":"5YJ3E1EA7KF317000","isResend":true}',
    );
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('writes enum numbers the schema does not name as numbers', () => {
    expect(json(PayloadSchema, { data: [{ key: 99999 as Field }] })).toBe(
      '{"data":[{"key":99999,"value":null}],"createdAt":null,"vin":"","isResend":false}',
    );
    expect(valueJson({ case: 'shiftStateValue', value: -2 as ShiftState })).toBe('{"shiftStateValue":-2}');
  });
});

describe('protobufToJson: numbers', () => {
  it('writes float32 values as Go does: the shortest decimal that reads back as the same float32', () => {
    const cases: [number, string][] = [
      [1.1, '1.1'],
      [0.1, '0.1'],
      [64.7, '64.7'],
      [16777217, '16777216'],
      [1e-6, '0.000001'],
      [1e-7, '1e-7'],
      [1.5e-10, '1.5e-10'],
      [1e20, '100000000000000000000'],
      [1e21, '1e+21'],
      [3.4028234663852886e38, '3.4028235e+38'],
      [1.401298464324817e-45, '1e-45'],
      [-2.5, '-2.5'],
      [-0, '-0'],
      [0, '0'],
    ];
    for (const [value, expected] of cases) {
      expect(valueJson({ case: 'floatValue', value })).toBe(`{"floatValue":${expected}}`);
    }
  });

  it('writes doubles in their shortest form, with the same notation thresholds', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [1.1, '1.1'],
      [1e-6, '0.000001'],
      [1e-7, '1e-7'],
      [1e21, '1e+21'],
      [123456789012345680000, '123456789012345680000'],
      [5e-324, '5e-324'],
      [-0, '-0'],
    ];
    for (const [value, expected] of cases) {
      expect(valueJson({ case: 'doubleValue', value })).toBe(`{"doubleValue":${expected}}`);
    }
  });

  it('writes NaN and the infinities as strings', () => {
    expect(valueJson({ case: 'floatValue', value: NaN })).toBe('{"floatValue":"NaN"}');
    expect(valueJson({ case: 'floatValue', value: Infinity })).toBe('{"floatValue":"Infinity"}');
    expect(valueJson({ case: 'doubleValue', value: -Infinity })).toBe('{"doubleValue":"-Infinity"}');
    expect(json(VehicleMetricsSchema, { metrics: [{ name: 'm', value: NaN }] })).toBe(
      '{"metrics":[{"name":"m","tags":{},"value":"NaN"}],"createdAt":null,"vin":""}',
    );
  });

  it('writes 64-bit integers as strings and 32-bit ones as numbers', () => {
    expect(valueJson({ case: 'longValue', value: 9223372036854775807n })).toBe('{"longValue":"9223372036854775807"}');
    expect(valueJson({ case: 'longValue', value: -9223372036854775808n })).toBe('{"longValue":"-9223372036854775808"}');
    expect(valueJson({ case: 'longValue', value: -1n })).toBe('{"longValue":"-1"}');
    expect(valueJson({ case: 'longValue', value: 0n })).toBe('{"longValue":"0"}');
    expect(valueJson({ case: 'intValue', value: -2147483648 })).toBe('{"intValue":-2147483648}');
    expect(valueJson({ case: 'intValue', value: 2147483647 })).toBe('{"intValue":2147483647}');
  });

  it('reads int32 from the low 32 bits of a longer varint, as Go does', () => {
    expect(protobufToJson(ValueSchema, new Uint8Array([0x10, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toBe('{"intValue":-1}');
    expect(protobufToJson(ValueSchema, new Uint8Array([0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))).toBe('{"intValue":0}');
  });
});

describe('protobufToJson: strings', () => {
  it('escapes quotes, backslashes and control characters, and nothing else', () => {
    const text = valueJson({ case: 'stringValue', value: 'a"b\\c\b\f\n\r\t\u0000\u001f\u007f</>&\u2028\ufeff é 🚗' });
    expect(text).toBe('{"stringValue":"a\\"b\\\\c\\b\\f\\n\\r\\t\\u0000\\u001f\u007f</>&\u2028\ufeff é 🚗"}');
    expect(JSON.parse(text)).toEqual({ stringValue: 'a"b\\c\b\f\n\r\t\u0000\u001f\u007f</>&\u2028\ufeff é 🚗' });
  });

  it('writes long ASCII strings unchanged', () => {
    const long = 'x'.repeat(500);
    expect(valueJson({ case: 'stringValue', value: long })).toBe(`{"stringValue":"${long}"}`);
  });

  it('refuses strings that are not UTF-8, lone surrogates included (Go does too)', () => {
    const record = (bytes: number[]) => new Uint8Array([0x0a, bytes.length, ...bytes]);
    expectFailure(ValueSchema, record([0x61, 0xff]), 'invalid_utf8');
    expectFailure(ValueSchema, record([0xed, 0xa0, 0x80]), 'invalid_utf8');
    expectFailure(ValueSchema, record([0xc0, 0xaf]), 'invalid_utf8');
  });
});

describe('protobufToJson: alerts, errors, connectivity', () => {
  it('writes alerts with RFC 3339 timestamps and audiences by name', () => {
    const text = json(VehicleAlertsSchema, {
      vin: 'V',
      createdAt: { seconds: 1718100000n, nanos: 0 },
      alerts: [
        {
          name: 'BMS_a066',
          audiences: [Audience.Customer, Audience.Service, 9 as Audience],
          startedAt: { seconds: 1718100000n, nanos: 120000000 },
          endedAt: { seconds: 1718100001n, nanos: 123456000 },
        },
        { name: 'still active', startedAt: { seconds: 0n, nanos: 123456789 } },
      ],
    });
    expect(text).toBe(
      '{"alerts":[' +
        '{"name":"BMS_a066","audiences":["Customer","Service",9],"startedAt":"2024-06-11T10:00:00.120Z","endedAt":"2024-06-11T10:00:01.123456Z"},' +
        '{"name":"still active","audiences":[],"startedAt":"1970-01-01T00:00:00.123456789Z","endedAt":null}' +
        '],"createdAt":"2024-06-11T10:00:00Z","vin":"V"}',
    );
  });

  it('writes timestamps across the whole RFC 3339 range', () => {
    const at = (seconds: bigint, nanos = 0) => json(VehicleConnectivitySchema, { createdAt: { seconds, nanos } });
    expect(at(-62135596800n)).toContain('"createdAt":"0001-01-01T00:00:00Z"');
    expect(at(253402300799n, 999999999)).toContain('"createdAt":"9999-12-31T23:59:59.999999999Z"');
    expect(at(951782400n)).toContain('"createdAt":"2000-02-29T00:00:00Z"');
    expect(at(-1n, 500000000)).toContain('"createdAt":"1969-12-31T23:59:59.500Z"');
  });

  it('refuses timestamps outside that range, as Go does', () => {
    const encode = (seconds: bigint, nanos: number) =>
      toBinary(VehicleConnectivitySchema, create(VehicleConnectivitySchema, { createdAt: { seconds, nanos } }));
    expectFailure(VehicleConnectivitySchema, encode(253402300800n, 0), 'invalid_timestamp');
    expectFailure(VehicleConnectivitySchema, encode(-62135596801n, 0), 'invalid_timestamp');
    expectFailure(VehicleConnectivitySchema, encode(1n, -1), 'invalid_timestamp');
    expectFailure(VehicleConnectivitySchema, encode(1n, 1000000000), 'invalid_timestamp');
  });

  it('writes error tags as an object sorted by key, the last duplicate winning', () => {
    const entry = (key: string | undefined, value: string | undefined) => {
      const writer = new BinaryWriter();
      if (key !== undefined) writer.tag(1, WireType.LengthDelimited).string(key);
      if (value !== undefined) writer.tag(2, WireType.LengthDelimited).string(value);
      return writer.finish();
    };
    const vehicleError = new BinaryWriter()
      .tag(2, WireType.LengthDelimited)
      .string('can_timeout')
      .tag(3, WireType.LengthDelimited)
      .bytes(entry('zone', 'rear'))
      .tag(3, WireType.LengthDelimited)
      .bytes(entry('bus', 'CH'))
      .tag(3, WireType.LengthDelimited)
      .bytes(entry('zone', 'front'))
      .tag(3, WireType.LengthDelimited)
      .bytes(entry('empty', undefined))
      .tag(3, WireType.LengthDelimited)
      .bytes(entry(undefined, 'keyless'))
      .finish();
    const bytes = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(vehicleError).finish();
    expect(protobufToJson(VehicleErrorsSchema, bytes)).toBe(
      '{"errors":[{"createdAt":null,"name":"can_timeout","tags":{"":"keyless","bus":"CH","empty":"","zone":"front"},"body":""}],"createdAt":null,"vin":""}',
    );
  });

  it('writes connectivity events with the status by name', () => {
    const text = json(VehicleConnectivitySchema, {
      vin: 'V',
      connectionId: 'c0ffee',
      status: ConnectivityEvent.DISCONNECTED,
      createdAt: timestampFromMs(1718100000000),
      networkInterface: 'wifi',
    });
    expect(text).toBe(
      '{"vin":"V","connectionId":"c0ffee","status":"DISCONNECTED","createdAt":"2024-06-11T10:00:00Z","networkInterface":"wifi"}',
    );
    expect(protobufToJson(VehicleConnectivitySchema, new Uint8Array())).toBe(
      '{"vin":"","connectionId":"","status":"UNKNOWN","createdAt":null,"networkInterface":""}',
    );
  });
});

describe('protobufToJson: every scalar type, maps of every key type', () => {
  const sink = (init: Record<string, unknown>) => json(KitchenSinkSchema, init as never);

  it('writes each scalar type singular and as a packed list', () => {
    const text = sink({
      singleSint32: -3,
      listSint64: [-1n, 9223372036854775807n],
      singleFixed64: 18446744073709551615n,
      listSfixed32: [-2147483648, 7],
      singleUint32: 4294967295,
      listBytes: [new Uint8Array([0, 255]), new Uint8Array([])],
      listFloat: [1.1, NaN],
      listDouble: [-0, 1e21],
    });
    expect(text).toContain('"singleSint32":-3,');
    expect(text).toContain('"listSint64":["-1","9223372036854775807"]');
    expect(text).toContain('"singleFixed64":"18446744073709551615"');
    expect(text).toContain('"listSfixed32":[-2147483648,7]');
    expect(text).toContain('"singleUint32":4294967295');
    expect(text).toContain('"listBytes":["AP8=",""]');
    expect(text).toContain('"listFloat":[1.1,"NaN"]');
    expect(text).toContain('"listDouble":[-0,1e+21]');
    expect(text).toContain('"singleBytes":"",');
    expect(text).toContain('"color":"COLOR_UNSET","colors":[],"child":null,"at":null,');
  });

  it('sorts map keys as Go does: numbers numerically, false before true', () => {
    const text = sink({
      mapSint64: { '10': -1n, '-3': 2n, '2': 0n },
      mapUint64: { '18446744073709551615': 1n, '9': 2n },
      mapEnum: { true: 0, false: -5 },
      mapMessage: { 2: {}, [-1]: { singleString: 'x' } },
    });
    expect(text).toContain('"mapSint64":{"-3":"2","2":"0","10":"-1"}');
    expect(text).toContain('"mapUint64":{"9":"2","18446744073709551615":"1"}');
    expect(text).toContain('"mapEnum":{"false":"BLUE","true":"COLOR_UNSET"}');
    expect(text).toMatch(/"mapMessage":\{"-1":\{"singleDouble":0,.*"singleString":"x",.*\},"2":\{"singleDouble":0,/);
  });
});

describe('protobufToJson: wire semantics', () => {
  const w = () => new BinaryWriter();

  it('skips unknown fields of every wire type and fields sent with the wrong wire type', () => {
    const bytes = w()
      .tag(99, WireType.Varint)
      .uint64(1n)
      .tag(100, WireType.Bit64)
      .fixed64(1n)
      .tag(101, WireType.LengthDelimited)
      .string('x')
      .tag(102, WireType.Bit32)
      .fixed32(1)
      .tag(103, WireType.StartGroup)
      .tag(1, WireType.Varint)
      .int32(1)
      .tag(103, WireType.EndGroup)
      .tag(3, WireType.Varint)
      .int32(5)
      .tag(4, WireType.LengthDelimited)
      .bytes(new Uint8Array([1]))
      .finish();
    expect(protobufToJson(PayloadSchema, bytes)).toBe('{"data":[],"createdAt":null,"vin":"","isResend":false}');
  });

  it('keeps the last value of a repeated scalar record and merges repeated message records', () => {
    const timestamp = (field: number, value: number) => w().tag(field, WireType.Varint).int64(value).finish();
    const bytes = w()
      .tag(3, WireType.LengthDelimited)
      .string('first')
      .tag(2, WireType.LengthDelimited)
      .bytes(timestamp(1, 10))
      .tag(3, WireType.LengthDelimited)
      .string('second')
      .tag(2, WireType.LengthDelimited)
      .bytes(timestamp(2, 5000))
      .finish();
    expect(protobufToJson(PayloadSchema, bytes)).toBe(
      '{"data":[],"createdAt":"1970-01-01T00:00:10.000005Z","vin":"second","isResend":false}',
    );
  });

  it('keeps only the member a oneof was set to last', () => {
    const location = (field: number, value: number) => w().tag(field, WireType.Bit64).double(value).finish();
    const switched = w().tag(1, WireType.LengthDelimited).string('text').tag(2, WireType.Varint).int32(5).finish();
    expect(protobufToJson(ValueSchema, switched)).toBe('{"intValue":5}');
    const merged = w()
      .tag(7, WireType.LengthDelimited)
      .bytes(location(1, 1.5))
      .tag(7, WireType.LengthDelimited)
      .bytes(location(2, -2.5))
      .finish();
    expect(protobufToJson(ValueSchema, merged)).toBe('{"locationValue":{"latitude":1.5,"longitude":-2.5}}');
    const interrupted = w()
      .tag(7, WireType.LengthDelimited)
      .bytes(location(1, 1.5))
      .tag(2, WireType.Varint)
      .int32(5)
      .tag(7, WireType.LengthDelimited)
      .bytes(location(2, -2.5))
      .finish();
    expect(protobufToJson(ValueSchema, interrupted)).toBe('{"locationValue":{"latitude":0,"longitude":-2.5}}');
    expect(protobufToJson(ValueSchema, new Uint8Array())).toBe('{}');
  });

  it('reads repeated enums packed and unpacked, in wire order', () => {
    const alert = w()
      .tag(2, WireType.LengthDelimited)
      .bytes(new Uint8Array([1, 2]))
      .tag(2, WireType.Varint)
      .int32(3)
      .tag(2, WireType.LengthDelimited)
      .bytes(new Uint8Array([]))
      .tag(2, WireType.Varint)
      .int32(0)
      .finish();
    const bytes = w().tag(1, WireType.LengthDelimited).bytes(alert).finish();
    expect(protobufToJson(VehicleAlertsSchema, bytes)).toBe(
      '{"alerts":[{"name":"","audiences":["Customer","Service","Service_fix","Unknown"],"startedAt":null,"endedAt":null}],"createdAt":null,"vin":""}',
    );
  });
});

describe('protobufToJson: bad input', () => {
  it('throws JsonEncodeError with a reason for each kind of broken encoding', () => {
    const bytes = (...values: number[]) => new Uint8Array(values);
    expectFailure(PayloadSchema, bytes(0x20, 0x80), 'truncated');
    expectFailure(PayloadSchema, bytes(0x1a, 0x05, 0x61), 'truncated');
    expectFailure(ValueSchema, bytes(0x29, 0x00), 'truncated');
    expectFailure(PayloadSchema, bytes(0x0a, 0x03, 0x12, 0x03, 0x08), 'truncated');
    expectFailure(PayloadSchema, bytes(0x00, 0x01), 'invalid_tag');
    expectFailure(PayloadSchema, bytes(0x0e), 'invalid_tag');
    expectFailure(PayloadSchema, bytes(0x80, 0x80, 0x80, 0x80, 0x10, 0x01), 'invalid_tag');
    expectFailure(PayloadSchema, bytes(0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02), 'invalid_varint');
    expectFailure(PayloadSchema, bytes(0xbc, 0x06), 'invalid_group');
    expectFailure(PayloadSchema, bytes(0xbb, 0x06, 0x08, 0x01), 'invalid_group');
    expectFailure(PayloadSchema, bytes(0xbb, 0x06, 0xc4, 0x06), 'invalid_group');
  });

  it('refuses a packed list that ends inside an element', () => {
    const alert = new BinaryWriter().tag(2, WireType.LengthDelimited).bytes(new Uint8Array([0x01, 0x80])).finish();
    const bytes = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(alert).finish();
    expectFailure(VehicleAlertsSchema, bytes, 'truncated');
  });

  it('skips deeply nested unknown groups without recursion, up to a limit', () => {
    const nested = (depth: number) => {
      const open = [0xbb, 0x06];
      const close = [0xbc, 0x06];
      return new Uint8Array([...Array(depth).fill(open).flat(), ...Array(depth).fill(close).flat()]);
    };
    expect(protobufToJson(PayloadSchema, nested(5000))).toBe('{"data":[],"createdAt":null,"vin":"","isResend":false}');
    expectFailure(PayloadSchema, nested(10001), 'too_deep');
  });

  it('refuses schemas with well-known types it does not map', () => {
    expectFailure(DurationSchema, new Uint8Array(), 'unsupported_schema');
  });

  it('keeps working after a failure', () => {
    expectFailure(PayloadSchema, new Uint8Array([0x0a, 0x05, 0x12]), 'truncated');
    expect(json(PayloadSchema, { vin: 'after' })).toBe('{"data":[],"createdAt":null,"vin":"after","isResend":false}');
  });
});
