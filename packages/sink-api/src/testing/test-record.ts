import { randomUUID } from 'node:crypto';
import type { RecordMetadata, TelemetryRecord } from '../record.js';

export type TestRecordOverrides = Partial<Omit<TelemetryRecord, 'metadata'>> & {
  readonly metadata?: Partial<RecordMetadata>;
};

/** A well-formed record with consistent metadata; every field can be overridden. */
export function testRecord(overrides: TestRecordOverrides = {}): TelemetryRecord {
  const recordType = overrides.recordType ?? 'V';
  const vin = overrides.vin ?? '5YJ3E1EA7KF000001';
  const txid = overrides.txid ?? randomUUID();
  const receivedAt = overrides.receivedAt ?? Date.now();
  return {
    recordType,
    vin,
    txid,
    socketId: overrides.socketId ?? randomUUID(),
    receivedAt,
    payload: overrides.payload ?? new Uint8Array(),
    encoding: overrides.encoding ?? 'protobuf',
    metadata: {
      vin,
      receivedat: String(receivedAt),
      timestamp: '0',
      txid,
      txtype: recordType,
      version: '0',
      device_client_version: '',
      ...overrides.metadata,
    } as RecordMetadata,
  };
}
