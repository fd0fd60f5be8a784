import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { describe, expect, it } from 'vitest';
import { metadataHeaders, topicName } from '../src/index.js';
import { kafkaMessage } from '../src/message.js';

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

  it('is keyed by VIN and shares the payload memory instead of copying it', () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    const payload = backing.subarray(1, 4);
    const message = kafkaMessage('tesla', testRecord({ recordType: 'alerts', vin: 'VIN2', payload }));
    expect(message.topic).toBe('tesla_alerts');
    expect(message.key).toBe('VIN2');
    expect([...message.value]).toEqual([1, 2, 3]);
    backing[2] = 42;
    expect(message.value[1]).toBe(42);
  });
});
