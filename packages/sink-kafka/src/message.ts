import type { RecordMetadata } from '@fleet-telemetry/sink-api';
import type { MessageHeader } from 'node-rdkafka';

/** The topic a record type is written to: `<namespace>_<record type>`, e.g. `tesla_V`. */
export function topicName(namespace: string, recordType: string): string {
  return `${namespace}_${recordType}`;
}

/**
 * The metadata every record carries, as object literals: V8 builds `{ vin: value }` several times
 * faster than the computed `{ [key]: value }`, and these run seven times per record.
 */
const HEADER_OF: ReadonlyMap<string, (value: string) => MessageHeader> = new Map<string, (value: string) => MessageHeader>([
  ['vin', (value) => ({ vin: value })],
  ['receivedat', (value) => ({ receivedat: value })],
  ['timestamp', (value) => ({ timestamp: value })],
  ['txid', (value) => ({ txid: value })],
  ['txtype', (value) => ({ txtype: value })],
  ['version', (value) => ({ version: value })],
  ['device_client_version', (value) => ({ device_client_version: value })],
]);

/** The record's metadata as Kafka headers, in node-rdkafka's form: one `{ key: value }` per header. */
export function metadataHeaders(metadata: RecordMetadata): MessageHeader[] {
  const headers: MessageHeader[] = [];
  for (const key in metadata) {
    const value = metadata[key] as string;
    const header = HEADER_OF.get(key);
    headers.push(header === undefined ? { [key]: value } : header(value));
  }
  return headers;
}

/** The payload as a Buffer over the same memory: librdkafka copies it when the record is queued. */
export function payloadBuffer(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}
