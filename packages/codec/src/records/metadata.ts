export interface RecordMetadataInput {
  /** The device id of the client certificate. */
  vin: string;
  /** When the server received the record, in epoch milliseconds. */
  receivedAt: number;
  txid: string;
  /** The record type (envelope topic): `V`, `alerts`, ... */
  recordType: string;
  /** The vehicle's `Version` request header; empty when it sent none. */
  deviceClientVersion?: string;
}

/** The metadata keys of every record (a type alias, so it fits `Record<string, string>`). */
export type RecordMetadataFields = {
  vin: string;
  /** Epoch milliseconds, in decimal. */
  receivedat: string;
  timestamp: string;
  txid: string;
  txtype: string;
  version: string;
  device_client_version: string;
};

/**
 * The metadata carried with every record (Kafka headers, Pub/Sub attributes, ...), with the
 * reference's keys and values: `timestamp` and `version` are always `0`.
 */
export function recordMetadata(input: RecordMetadataInput): RecordMetadataFields {
  return {
    vin: input.vin,
    receivedat: String(Math.trunc(input.receivedAt)),
    timestamp: '0',
    txid: input.txid,
    txtype: input.recordType,
    version: '0',
    device_client_version: input.deviceClientVersion ?? '',
  };
}
