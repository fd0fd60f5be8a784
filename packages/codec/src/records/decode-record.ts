import { fromBinary, fromJsonString, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import type { VehicleAlerts } from '../gen/vehicle_alert_pb.js';
import type { VehicleConnectivity } from '../gen/vehicle_connectivity_pb.js';
import type { Payload } from '../gen/vehicle_data_pb.js';
import type { VehicleErrors } from '../gen/vehicle_error_pb.js';
import { PayloadDecodeError } from './errors.js';
import { RECORD_SCHEMAS, isKnownRecordType } from './record-types.js';
import { messageTable } from './schema-table.js';
import { validateMessage } from './validate.js';

/** The message each known record type carries. */
export interface RecordMessages {
  V: Payload;
  alerts: VehicleAlerts;
  errors: VehicleErrors;
  connectivity: VehicleConnectivity;
}

export type RecordMessage = RecordMessages[keyof RecordMessages];

export type RecordEncoding = 'protobuf' | 'json';

type HeaderValue = string | Uint8Array;

/**
 * Record metadata as the client libraries hand it over: a Kafka header list
 * (`[{ vin: Buffer }, ...]`), a header object (kafkajs; repeated keys as arrays), a Pub/Sub
 * attribute object, or a Map.
 */
export type RecordHeaders =
  | ReadonlyArray<Readonly<Record<string, HeaderValue | undefined>>>
  | ReadonlyMap<string, HeaderValue | readonly HeaderValue[] | undefined>
  | Readonly<Record<string, HeaderValue | readonly HeaderValue[] | undefined>>;

export interface DecodeRecordInput {
  /** The record type, when the caller knows it. Otherwise the `txtype` header, then the topic. */
  recordType?: string;
  /** The Kafka topic / Pub/Sub topic / stream the record came from, e.g. `tesla_V`. */
  topic?: string;
  /** The configured namespace, to split `topic` exactly (else the text after its last `_`). */
  namespace?: string;
  /** What the sink wrote: protobuf bytes, or canonical proto JSON as text or UTF-8 bytes. */
  value: Uint8Array | string;
  headers?: RecordHeaders;
}

export interface DecodedRecord<M = RecordMessage | Uint8Array> {
  /** `undefined` when neither the input, the headers nor the topic tell it. */
  recordType: string | undefined;
  /** The VIN in the message, else the `vin` header, else empty. */
  vin: string;
  metadata: Record<string, string>;
  encoding: RecordEncoding;
  /** The decoded message; the value's bytes as they are for record types without a schema. */
  message: M;
}

/**
 * Decodes a record as a sink wrote it, for consumers of the Kafka topics, Pub/Sub
 * subscriptions, Kinesis streams, ...: protobuf or JSON, told apart by the first non-space
 * byte (`{` is never the first tag of these messages).
 *
 * @throws PayloadDecodeError when the value does not decode as its record type's message.
 */
export function decodeRecord<T extends keyof RecordMessages>(
  input: DecodeRecordInput & { recordType: T },
): DecodedRecord<RecordMessages[T]>;
export function decodeRecord(input: DecodeRecordInput): DecodedRecord;
export function decodeRecord(input: DecodeRecordInput): DecodedRecord {
  const metadata = normalizeHeaders(input.headers);
  const recordType =
    input.recordType ??
    metadata['txtype'] ??
    (input.topic === undefined ? undefined : recordTypeFromTopic(input.topic, input.namespace));
  const bytes = typeof input.value === 'string' ? textEncoder.encode(input.value) : input.value;
  const encoding: RecordEncoding = isJson(bytes) ? 'json' : 'protobuf';
  if (recordType === undefined || !isKnownRecordType(recordType)) {
    return { recordType, vin: metadata['vin'] ?? '', metadata, encoding, message: bytes };
  }
  const schema: DescMessage = RECORD_SCHEMAS[recordType];
  const message = (encoding === 'json' ? decodeJson(schema, bytes) : decodeBinary(schema, bytes)) as RecordMessage;
  return { recordType, vin: message.vin || (metadata['vin'] ?? ''), metadata, encoding, message };
}

/**
 * The record type of a topic or stream named `<namespace>_<record type>` (`tesla_V` → `V`).
 * Without `namespace`, the text after the last `_`. `undefined` when the name does not fit.
 */
export function recordTypeFromTopic(topic: string, namespace?: string): string | undefined {
  if (namespace !== undefined) {
    const prefix = `${namespace}_`;
    return topic.startsWith(prefix) && topic.length > prefix.length ? topic.slice(prefix.length) : undefined;
  }
  const separator = topic.lastIndexOf('_');
  return separator < 0 || separator === topic.length - 1 ? undefined : topic.slice(separator + 1);
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function isJson(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b;
  }
  return false;
}

function decodeBinary(schema: DescMessage, bytes: Uint8Array): MessageShape<DescMessage> {
  // Same strictness as the server's transform, then protobuf-es builds the message.
  validateMessage(messageTable(schema), bytes, 0, bytes.length, 1);
  return fromBinary(schema, bytes);
}

function decodeJson(schema: DescMessage, bytes: Uint8Array): MessageShape<DescMessage> {
  try {
    // Fields newer than this schema are skipped, as binary decoding does.
    return fromJsonString(schema, textDecoder.decode(bytes), { ignoreUnknownFields: true });
  } catch (error) {
    throw new PayloadDecodeError('invalid-json', 0, schema.typeName, { cause: error });
  }
}

function normalizeHeaders(headers: RecordHeaders | undefined): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (headers === undefined) return metadata;
  const put = (key: string, value: HeaderValue | readonly HeaderValue[] | undefined): void => {
    // A repeated key keeps its last value, as Kafka's lastHeader() does.
    const last = Array.isArray(value) ? value.at(-1) : (value as HeaderValue | undefined);
    if (last !== undefined) metadata[key] = typeof last === 'string' ? last : textDecoder.decode(last);
  };
  if (isHeaderList(headers)) {
    for (const header of headers) for (const key of Object.keys(header)) put(key, header[key]);
  } else if (headers instanceof Map) {
    for (const [key, value] of headers) put(key, value);
  } else {
    const object = headers as Readonly<Record<string, HeaderValue | readonly HeaderValue[] | undefined>>;
    for (const key of Object.keys(object)) put(key, object[key]);
  }
  return metadata;
}

function isHeaderList(headers: RecordHeaders): headers is ReadonlyArray<Readonly<Record<string, HeaderValue | undefined>>> {
  return Array.isArray(headers);
}
