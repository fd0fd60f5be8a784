import { create, toBinary, toJsonString } from '@bufbuild/protobuf';
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { VehicleAlertsSchema } from '../src/gen/vehicle_alert_pb.js';
import { ConnectivityEvent, VehicleConnectivitySchema } from '../src/gen/vehicle_connectivity_pb.js';
import { Field, PayloadSchema } from '../src/gen/vehicle_data_pb.js';
import {
  PayloadDecodeError,
  decodeRecord,
  recordMetadata,
  recordTypeFromTopic,
  transformPayload,
} from '../src/records/index.js';

const VIN = '5YJ3E1EA7KF317000';

const payload = create(PayloadSchema, {
  vin: VIN,
  createdAt: { seconds: 1_700_000_000n, nanos: 5 },
  data: [
    { key: Field.VehicleName, value: { value: { case: 'stringValue', value: 'Cherry' } } },
    { key: Field.Soc, value: { value: { case: 'doubleValue', value: 77.5 } } },
  ],
});
const protobufValue = toBinary(PayloadSchema, payload);
// What the server writes with transmit_decoded_records: every field, enums by name.
const jsonValue = toJsonString(PayloadSchema, payload, { alwaysEmitImplicit: true });

const metadata = recordMetadata({
  vin: VIN,
  receivedAt: 1_700_000_000_123,
  txid: 'b8f3e4b4-7d52-4f5e-9b35-0c4e7f0a1a2b',
  recordType: 'V',
  deviceClientVersion: '1.2.3',
});

describe('recordMetadata', () => {
  it('has the keys and values of the reference server', () => {
    expect(metadata).toEqual({
      vin: VIN,
      receivedat: '1700000000123',
      timestamp: '0',
      txid: 'b8f3e4b4-7d52-4f5e-9b35-0c4e7f0a1a2b',
      txtype: 'V',
      version: '0',
      device_client_version: '1.2.3',
    });
  });

  it('writes an empty device client version when the vehicle sent none', () => {
    expect(recordMetadata({ vin: VIN, receivedAt: 1, txid: 't', recordType: 'alerts' }).device_client_version).toBe('');
  });
});

describe('recordTypeFromTopic', () => {
  it.each([
    ['tesla_V', 'tesla', 'V'],
    ['tesla_connectivity', 'tesla', 'connectivity'],
    ['my_fleet_alerts', 'my_fleet', 'alerts'],
    ['other_V', 'tesla', undefined],
    ['tesla_', 'tesla', undefined],
    ['tesla_V', undefined, 'V'],
    ['my_fleet_errors', undefined, 'errors'],
    ['V', undefined, undefined],
  ])('%s (namespace %s) → %s', (topic, namespace, recordType) => {
    expect(recordTypeFromTopic(topic, namespace)).toBe(recordType);
  });
});

describe('decodeRecord', () => {
  it('decodes a Kafka message: protobuf value, header list of Buffers', () => {
    const headers = Object.entries(metadata).map(([key, value]) => ({ [key]: Buffer.from(value) }));
    const record = decodeRecord({ value: Buffer.from(protobufValue), headers });
    expect(record.recordType).toBe('V');
    expect(record.encoding).toBe('protobuf');
    expect(record.vin).toBe(VIN);
    expect(record.metadata).toEqual(metadata);
    expect(record.message).toMatchObject({ $typeName: 'telemetry.vehicle_data.Payload', vin: VIN });
  });

  it('decodes canonical JSON, as text or bytes, after leading whitespace', () => {
    for (const value of [jsonValue, new TextEncoder().encode(`\n  ${jsonValue}`)]) {
      const record = decodeRecord({ recordType: 'V', value });
      expect(record.encoding).toBe('json');
      expect(record.message.data[1]?.value?.value).toEqual({ case: 'doubleValue', value: 77.5 });
      expect(record.message.createdAt).toMatchObject({ seconds: 1_700_000_000n, nanos: 5 });
    }
  });

  it('decodes the JSON of the reference server, nulls and all', () => {
    const value = '{"data":[{"key":"VehicleName","value":{"stringValue":"Cherry"}}],"createdAt":null,"vin":"V1","isResend":false}';
    const record = decodeRecord({ recordType: 'V', value });
    expect(record.message.data[0]?.key).toBe(Field.VehicleName);
    expect(record.vin).toBe('V1');
  });

  it('skips JSON fields newer than the schema, as binary decoding does', () => {
    const record = decodeRecord({ recordType: 'V', value: '{"vin":"V1","someFutureField":1}' });
    expect(record.vin).toBe('V1');
  });

  it('reads kafkajs header objects (repeated keys as arrays), Pub/Sub attributes and Maps', () => {
    expect(decodeRecord({ value: protobufValue, headers: { txtype: [Buffer.from('x'), Buffer.from('V')] } }).recordType).toBe('V');
    expect(decodeRecord({ value: protobufValue, headers: { ...metadata } }).metadata).toEqual(metadata);
    expect(decodeRecord({ value: protobufValue, headers: new Map([['txtype', 'V']]) }).recordType).toBe('V');
  });

  it('takes the record type from the argument, then the txtype header, then the topic', () => {
    const connectivity = toBinary(
      VehicleConnectivitySchema,
      create(VehicleConnectivitySchema, { vin: VIN, status: ConnectivityEvent.CONNECTED }),
    );
    expect(decodeRecord({ value: connectivity, recordType: 'connectivity', headers: { txtype: 'V' } }).recordType).toBe(
      'connectivity',
    );
    expect(decodeRecord({ value: connectivity, headers: { txtype: 'connectivity' }, topic: 'tesla_V' }).recordType).toBe(
      'connectivity',
    );
    const fromTopic = decodeRecord({ value: connectivity, topic: 'tesla_connectivity', namespace: 'tesla' });
    expect(fromTopic.recordType).toBe('connectivity');
    expect(fromTopic.message).toMatchObject({ status: ConnectivityEvent.CONNECTED, vin: VIN });
  });

  it('hands back the bytes of record types without a schema, with the VIN header', () => {
    const value = Uint8Array.of(1, 2, 3);
    const record = decodeRecord({ value, topic: 'tesla_D4', headers: { vin: VIN } });
    expect(record).toEqual({ recordType: 'D4', vin: VIN, metadata: { vin: VIN }, encoding: 'protobuf', message: value });
    expect(decodeRecord({ value }).recordType).toBeUndefined();
  });

  it('decodes what the transform wrote', () => {
    const alerts = toBinary(VehicleAlertsSchema, create(VehicleAlertsSchema, { alerts: [{ name: 'Alert' }] }));
    const record = decodeRecord({ recordType: 'alerts', value: transformPayload('alerts', alerts, VIN) });
    expect(record.vin).toBe(VIN);
    expect(record.message.alerts[0]?.name).toBe('Alert');
  });

  it('rejects values that do not decode', () => {
    expect(() => decodeRecord({ recordType: 'V', value: Uint8Array.of(0x0a, 0x05) })).toThrow(PayloadDecodeError);
    expect(() => decodeRecord({ recordType: 'V', value: '{"vin": 5' })).toThrow(
      expect.objectContaining({ reason: 'invalid-json' }),
    );
    expect(() => decodeRecord({ recordType: 'V', value: '{"data": 5}' })).toThrow(PayloadDecodeError);
  });
});
