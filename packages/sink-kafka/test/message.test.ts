import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { describe, expect, it } from 'vitest';
import { metadataHeaders, topicName } from '../src/index.js';
import { payloadBuffer } from '../src/message.js';

describe('the Kafka message of a record', () => {
  it('goes to <namespace>_<record type>', () => {
    expect(topicName('tesla', 'V')).toBe('tesla_V');
    expect(topicName('fleet_eu', 'connectivity')).toBe('fleet_eu_connectivity');
  });

  it('carries every metadata entry as one header each, in node-rdkafka form', () => {
    const record = testRecord({ vin: 'VIN1', txid: 'tx-1', receivedAt: 1_700_000_000_123, metadata: { device_client_version: '2025.2.6' } });
    expect(metadataHeaders(record.metadata)).toEqual([
      { vin: 'VIN1' },
      { receivedat: '1700000000123' },
      { timestamp: '0' },
      { txid: 'tx-1' },
      { txtype: 'V' },
      { version: '0' },
      { device_client_version: '2025.2.6' },
    ]);
  });

  it('keeps metadata entries beyond the usual ones, in their order', () => {
    const record = testRecord({ vin: 'VIN1', txid: 'tx-2', receivedAt: 5, metadata: { region: 'eu', device_client_version: '1' } });
    const headers = metadataHeaders(record.metadata);
    expect(headers).toHaveLength(Object.keys(record.metadata).length);
    expect(headers.map((header) => Object.entries(header)[0])).toEqual(Object.entries(record.metadata));
    expect(headers).toContainEqual({ region: 'eu' });
  });

  it('hands librdkafka the payload memory instead of a copy', () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    const value = payloadBuffer(backing.subarray(1, 4));
    expect(Buffer.isBuffer(value)).toBe(true);
    expect([...value]).toEqual([1, 2, 3]);
    backing[2] = 42;
    expect(value[1]).toBe(42);
    const buffer = Buffer.from([7]);
    expect(payloadBuffer(buffer)).toBe(buffer);
  });
});
