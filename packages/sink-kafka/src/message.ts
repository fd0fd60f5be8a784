import type { RecordMetadata, TelemetryRecord } from '@fleet-telemetry/sink-api';
import type { MessageHeader } from 'node-rdkafka';

/** The topic a record type is written to: `<namespace>_<record type>`, e.g. `tesla_V`. */
export function topicName(namespace: string, recordType: string): string {
  return `${namespace}_${recordType}`;
}

/** The record's metadata as Kafka headers, in node-rdkafka's form: one `{ key: value }` per header. */
export function metadataHeaders(metadata: RecordMetadata): MessageHeader[] {
  const headers: MessageHeader[] = [];
  for (const key of Object.keys(metadata)) {
    headers.push({ [key]: metadata[key] as string });
  }
  return headers;
}

/** The payload as a Buffer over the same memory: librdkafka copies it when the record is queued. */
export function payloadBuffer(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** What `write` hands to librdkafka for one record. */
export interface KafkaMessage {
  readonly topic: string;
  /** The VIN: every record of a vehicle lands on the same partition, in order. */
  readonly key: string;
  readonly value: Buffer;
  readonly headers: MessageHeader[];
}

export function kafkaMessage(namespace: string, record: TelemetryRecord): KafkaMessage {
  return {
    topic: topicName(namespace, record.recordType),
    key: record.vin,
    value: payloadBuffer(record.payload),
    headers: metadataHeaders(record.metadata),
  };
}
