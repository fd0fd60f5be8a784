/** How a record's payload bytes are encoded for the datastores. */
export type PayloadEncoding = 'protobuf' | 'json';

/**
 * Metadata carried with every record (Kafka headers, Pub/Sub attributes, ...).
 * Keys and values match the reference server so existing consumers keep working.
 */
export interface RecordMetadata {
  readonly vin: string;
  /** Receipt time in epoch milliseconds, as a decimal string. */
  readonly receivedat: string;
  readonly timestamp: string;
  readonly txid: string;
  /** The record type (`V`, `alerts`, `errors`, `connectivity`, ...). */
  readonly txtype: string;
  readonly version: string;
  readonly device_client_version: string;
  readonly [key: string]: string;
}

/** One record as every sink receives it: already decoded, sanitised and re-encoded. */
export interface TelemetryRecord {
  /** `V`, `alerts`, `errors`, `connectivity`, or any other topic a vehicle sends. */
  readonly recordType: string;
  /** The VIN from the client certificate (never the one a vehicle put in its frame). */
  readonly vin: string;
  readonly txid: string;
  /** The id of the socket the record came from (the connectivity event's connection id). */
  readonly socketId: string;
  /** Epoch milliseconds at receipt. */
  readonly receivedAt: number;
  /** The bytes to store: protobuf, or UTF-8 canonical proto JSON when `encoding` is `json`. */
  readonly payload: Uint8Array;
  readonly encoding: PayloadEncoding;
  readonly metadata: RecordMetadata;
}
