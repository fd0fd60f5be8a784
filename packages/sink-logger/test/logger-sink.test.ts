import { create, toBinary, toJsonString, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  Audience,
  ConnectivityEvent,
  Field,
  PayloadSchema,
  ShiftState,
  VehicleAlertsSchema,
  VehicleConnectivitySchema,
  VehicleErrorsSchema,
} from '@fleet-telemetry/codec';
import { RecordRouter, SinkClosedError, type PayloadEncoding } from '@fleet-telemetry/sink-api';
import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LoggerSink } from '../src/index.js';

const VIN = '5YJ3E1EA7KF000001';
const CREATED_AT = timestampFromMs(Date.UTC(2024, 4, 1, 12, 0, 0));
const METADATA = {
  vin: VIN,
  receivedat: '1714564800123',
  timestamp: '0',
  txid: 'b7a0e5b2-5d3c-4c55-9d3b-0f1f6e0a3c11',
  txtype: 'V',
  version: '0',
  device_client_version: '2024.14.5',
};

/** A logger whose JSON lines are parsed into `lines`; no time, pid or hostname to keep them exact. */
function capturedLogger() {
  const lines: unknown[] = [];
  const logger = pino({ base: undefined, timestamp: false }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function recordOf<Desc extends DescMessage>(
  recordType: string,
  schema: Desc,
  init: MessageInitShape<Desc>,
  encoding: PayloadEncoding = 'protobuf',
  vin = VIN,
) {
  const message = create(schema, init);
  const payload =
    encoding === 'json'
      ? new TextEncoder().encode(toJsonString(schema, message))
      : toBinary(schema, message);
  return testRecord({ recordType, vin, payload, encoding, metadata: { ...METADATA, vin, txtype: recordType } });
}

const vehicleData = {
  vin: VIN,
  createdAt: CREATED_AT,
  data: [
    { key: Field.VehicleSpeed, value: { value: { case: 'floatValue', value: 65.3 } } },
    { key: Field.Odometer, value: { value: { case: 'doubleValue', value: 12345.678 } } },
    { key: Field.Soc, value: { value: { case: 'intValue', value: 81 } } },
    { key: Field.EstimatedHoursToChargeTermination, value: { value: { case: 'longValue', value: 9007199254740993n } } },
    { key: Field.Version, value: { value: { case: 'stringValue', value: '2024.14.5' } } },
    { key: Field.Locked, value: { value: { case: 'booleanValue', value: true } } },
    { key: Field.Gear, value: { value: { case: 'shiftStateValue', value: ShiftState.ShiftStateD } } },
    { key: Field.Location, value: { value: { case: 'locationValue', value: { latitude: 37.412374, longitude: -122.145867 } } } },
    { key: Field.DoorState, value: { value: { case: 'doorValue', value: { DriverFront: true, TrunkRear: true } } } },
    { key: Field.ScheduledChargingStartTime, value: { value: { case: 'timeValue', value: { hour: 7, minute: 5, second: 0 } } } },
    { key: Field.TpmsHardWarnings, value: { value: { case: 'tireLocationValue', value: { frontLeft: true } } } },
    { key: Field.DetailedChargeState, value: { value: { case: 'invalid', value: true } } },
  ],
} satisfies MessageInitShape<typeof PayloadSchema>;

describe('LoggerSink', () => {
  it('logs a V record as field names with plain values', () => {
    const { logger, lines } = capturedLogger();
    new LoggerSink({ logger }).write(recordOf('V', PayloadSchema, vehicleData));

    expect(lines).toEqual([
      {
        level: 30,
        activity: true,
        vin: VIN,
        metadata: METADATA,
        data: {
          Vin: VIN,
          CreatedAt: '2024-05-01T12:00:00Z',
          VehicleSpeed: 65.3,
          Odometer: 12345.678,
          Soc: 81,
          EstimatedHoursToChargeTermination: '9007199254740993',
          Version: '2024.14.5',
          Locked: true,
          Gear: 'ShiftStateD',
          Location: { latitude: 37.412374, longitude: -122.145867 },
          DoorState: {
            DriverFront: true,
            PassengerFront: false,
            DriverRear: false,
            PassengerRear: false,
            TrunkFront: false,
            TrunkRear: true,
          },
          ScheduledChargingStartTime: '07:05:00',
          TpmsHardWarnings: { FrontLeft: true, FrontRight: false, RearLeft: false, RearRight: false },
          DetailedChargeState: '<invalid>',
        },
        msg: 'record_payload',
      },
    ]);
  });

  it('adds each value type in verbose mode', () => {
    const { logger, lines } = capturedLogger();
    new LoggerSink({ logger, verbose: true }).write(recordOf('V', PayloadSchema, vehicleData));

    expect(lines).toMatchObject([
      {
        data: {
          Vin: VIN,
          CreatedAt: '2024-05-01T12:00:00Z',
          VehicleSpeed: { floatValue: 65.3 },
          Odometer: { doubleValue: 12345.678 },
          Soc: { intValue: 81 },
          EstimatedHoursToChargeTermination: { longValue: '9007199254740993' },
          Version: { stringValue: '2024.14.5' },
          Locked: { booleanValue: true },
          Gear: { shiftStateValue: 'ShiftStateD' },
          Location: { locationValue: { latitude: 37.412374, longitude: -122.145867 } },
          DoorState: { doorValue: expect.objectContaining({ DriverFront: true }) },
          ScheduledChargingStartTime: { time: '07:05:00' },
          TpmsHardWarnings: { tireLocation: expect.objectContaining({ FrontLeft: true }) },
          DetailedChargeState: { invalid: true },
        },
      },
    ]);
  });

  it('names the Semi axles for a Semi VIN', () => {
    const { logger, lines } = capturedLogger();
    const semiVin = '7G2T1EA10PF000001';
    const payload = {
      vin: semiVin,
      data: [{ key: Field.TpmsHardWarnings, value: { value: { case: 'tireLocationValue', value: { rearLeft: true, semiRearAxleRight2: true } } } }],
    } satisfies MessageInitShape<typeof PayloadSchema>;
    new LoggerSink({ logger }).write(recordOf('V', PayloadSchema, payload, 'protobuf', semiVin));

    expect(lines).toMatchObject([
      {
        data: {
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
        },
      },
    ]);
  });

  it('reads JSON payloads (transmit_decoded_records) the same way', () => {
    const binary = capturedLogger();
    const json = capturedLogger();
    new LoggerSink({ logger: binary.logger }).write(recordOf('V', PayloadSchema, vehicleData));
    new LoggerSink({ logger: json.logger }).write(recordOf('V', PayloadSchema, vehicleData, 'json'));

    expect(json.lines).toEqual(binary.lines);
  });

  it('logs alerts as a list with epoch-second timestamps and audience names', () => {
    const { logger, lines } = capturedLogger();
    const alerts = {
      vin: VIN,
      createdAt: CREATED_AT,
      alerts: [
        {
          name: 'BMS_a066_SW_Over_Current',
          audiences: [Audience.Customer, Audience.Service_fix],
          startedAt: timestampFromMs(1714564800000),
          endedAt: timestampFromMs(1714564860000),
        },
        { name: 'UI_a010_MapsMissing', startedAt: timestampFromMs(1714564800000) },
      ],
    } satisfies MessageInitShape<typeof VehicleAlertsSchema>;
    new LoggerSink({ logger }).write(recordOf('alerts', VehicleAlertsSchema, alerts));

    expect(lines).toEqual([
      {
        level: 30,
        activity: true,
        vin: VIN,
        metadata: { ...METADATA, txtype: 'alerts' },
        data: [
          {
            Name: 'BMS_a066_SW_Over_Current',
            StartedAt: 1714564800,
            EndedAt: 1714564860,
            Audiences: ['Customer', 'Service_fix'],
          },
          { Name: 'UI_a010_MapsMissing', StartedAt: 1714564800, Audiences: null },
        ],
        msg: 'record_payload',
      },
    ]);
  });

  it('logs errors as a list with name, body, tags and creation time', () => {
    const { logger, lines } = capturedLogger();
    const errors = {
      vin: VIN,
      errors: [
        { name: 'stream_error', body: 'buffer full', tags: { field: 'VehicleSpeed' }, createdAt: timestampFromMs(1714564800000) },
        { name: 'no_tags' },
      ],
    } satisfies MessageInitShape<typeof VehicleErrorsSchema>;
    new LoggerSink({ logger }).write(recordOf('errors', VehicleErrorsSchema, errors));

    expect(lines).toMatchObject([
      {
        msg: 'record_payload',
        data: [
          { Name: 'stream_error', Body: 'buffer full', Tags: { field: 'VehicleSpeed' }, CreatedAt: 1714564800 },
          { Name: 'no_tags', Body: '', Tags: null },
        ],
      },
    ]);
  });

  it('logs a connectivity event as a map', () => {
    const { logger, lines } = capturedLogger();
    const event = {
      vin: VIN,
      connectionId: 'a3f5c1d2-0000-4000-8000-000000000001',
      status: ConnectivityEvent.CONNECTED,
      networkInterface: 'wifi',
      createdAt: timestampFromMs(1714564800500),
    } satisfies MessageInitShape<typeof VehicleConnectivitySchema>;
    new LoggerSink({ logger }).write(recordOf('connectivity', VehicleConnectivitySchema, event));

    expect(lines).toEqual([
      {
        level: 30,
        activity: true,
        vin: VIN,
        metadata: { ...METADATA, txtype: 'connectivity' },
        data: {
          Vin: VIN,
          ConnectionID: 'a3f5c1d2-0000-4000-8000-000000000001',
          NetworkInterface: 'wifi',
          Status: 'CONNECTED',
          CreatedAt: 1714564800,
        },
        msg: 'record_payload',
      },
    ]);
  });

  it('logs an error line with the raw bytes, and still calls back, for a payload it cannot read', () => {
    const { logger, lines } = capturedLogger();
    const record = testRecord({ recordType: 'V', vin: VIN, payload: new Uint8Array([0xff, 0xff, 0xff]), metadata: METADATA });
    const callbacks: Array<Error | undefined> = [];

    new LoggerSink({ logger }).write(record, (error) => callbacks.push(error));

    expect(callbacks).toEqual([undefined]);
    expect(lines).toEqual([
      {
        level: 50,
        error: expect.stringMatching(/.+/),
        raw: '////',
        vin: VIN,
        txtype: 'V',
        metadata: METADATA,
        msg: 'record_logging_error',
      },
    ]);
  });

  it('logs a record type without a schema with its payload in base64', () => {
    const { logger, lines } = capturedLogger();
    new LoggerSink({ logger }).write(testRecord({ recordType: 'FS', vin: VIN, payload: new Uint8Array([1, 2, 3]) }));
    expect(lines).toMatchObject([{ level: 30, msg: 'record_payload', vin: VIN, data: { raw: 'AQID' } }]);
  });

  it('writes nothing, and still calls back, when the logger level hides info lines', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const callbacks: Array<Error | undefined> = [];

    new LoggerSink({ logger }).write(recordOf('V', PayloadSchema, vehicleData), (error) => callbacks.push(error));

    expect(callbacks).toEqual([undefined]);
    expect(lines).toEqual([]);
  });

  it('refuses records after close, through the callback', async () => {
    const { logger, lines } = capturedLogger();
    const sink = new LoggerSink({ logger });
    await sink.close();
    const callbacks: Array<Error | undefined> = [];

    sink.write(recordOf('V', PayloadSchema, vehicleData), (error) => callbacks.push(error));

    expect(callbacks).toEqual([expect.any(SinkClosedError)]);
    expect(lines).toEqual([]);
  });

  it('cannot be a reliable-ack source', () => {
    const { logger } = capturedLogger();
    expect(() =>
      RecordRouter.fromConfig({ records: { V: ['logger'] }, reliableAckSources: { V: 'logger' }, sinks: [new LoggerSink({ logger })] }),
    ).toThrow(/reliable_ack_sources\.V: sink "logger" cannot confirm writes/);
  });
});
