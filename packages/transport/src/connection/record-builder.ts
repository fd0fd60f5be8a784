import {
  PayloadDecodeError,
  recordMetadata,
  transformPayload,
  transformPayloadToJsonBytes,
  type TransformStats,
} from '@fleet-telemetry/codec';
import type { PayloadEncoding, RecordMetadata, TelemetryRecord } from '@fleet-telemetry/sink-api';

/** The record types whose payload is a known message (and so can be written as JSON). */
const jsonRecordTypes: ReadonlySet<string> = new Set(['V', 'alerts', 'errors', 'connectivity']);

/** Filled by each transform (which counts the signals as it validates); builds are synchronous. */
const transformStats: TransformStats = { signals: 0 };

export interface RecordInput {
  readonly recordType: string;
  readonly txid: string;
  readonly socketId: string;
  /** The certificate's device id: the only VIN a record may carry. */
  readonly vin: string;
  readonly receivedAt: number;
  /** The payload as the vehicle sent it. */
  readonly payload: Uint8Array;
  readonly encoding: PayloadEncoding;
  readonly deviceClientVersion: string;
}

export interface BuiltRecord {
  readonly record: TelemetryRecord;
  /** Data points in the record: `V` data entries, alerts; 0 for other types. */
  readonly signalCount: number;
}

/** The payload did not decode as its record type's message. */
export class RecordBuildError extends Error {
  override readonly name = 'RecordBuildError';
  override readonly cause: PayloadDecodeError;

  constructor(cause: PayloadDecodeError) {
    super(cause.message, { cause });
    this.cause = cause;
  }
}

/**
 * Turns a Stream's payload into the record sinks receive: transformed by record type (VIN from
 * the certificate, location and number rewrites), then protobuf or canonical proto JSON.
 * Record types without a known message keep the vehicle's bytes, labelled `protobuf`.
 *
 * @throws RecordBuildError when the payload does not decode.
 */
export function buildRecord(input: RecordInput): BuiltRecord {
  const asJson = input.encoding === 'json' && jsonRecordTypes.has(input.recordType);
  let payload: Uint8Array;
  try {
    // JSON straight from the vehicle's bytes: the transform is applied while writing it.
    payload = asJson
      ? transformPayloadToJsonBytes(input.recordType, input.payload, input.vin, transformStats)
      : transformPayload(input.recordType, input.payload, input.vin, transformStats);
  } catch (error) {
    if (error instanceof PayloadDecodeError) throw new RecordBuildError(error);
    throw error;
  }
  const metadata = recordMetadata({
    vin: input.vin,
    receivedAt: input.receivedAt,
    txid: input.txid,
    recordType: input.recordType,
    deviceClientVersion: input.deviceClientVersion,
  }) as RecordMetadata;
  return {
    record: {
      recordType: input.recordType,
      vin: input.vin,
      txid: input.txid,
      socketId: input.socketId,
      receivedAt: input.receivedAt,
      payload,
      encoding: asJson ? 'json' : 'protobuf',
      metadata,
    },
    signalCount: transformStats.signals,
  };
}
