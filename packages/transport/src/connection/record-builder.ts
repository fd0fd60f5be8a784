import type { DescMessage } from '@bufbuild/protobuf';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import {
  PayloadDecodeError,
  PayloadSchema,
  protobufToJsonBytes,
  recordMetadata,
  transformPayload,
  VehicleAlertsSchema,
  VehicleConnectivitySchema,
  VehicleErrorsSchema,
} from '@fleet-telemetry/codec';
import type { PayloadEncoding, RecordMetadata, TelemetryRecord } from '@fleet-telemetry/sink-api';

/** The record types whose payload is a known message (and so can be written as JSON). */
const schemaByRecordType: ReadonlyMap<string, DescMessage> = new Map<string, DescMessage>([
  ['V', PayloadSchema],
  ['alerts', VehicleAlertsSchema],
  ['errors', VehicleErrorsSchema],
  ['connectivity', VehicleConnectivitySchema],
]);

/** Record types whose field 1 is the repeated list of signals (`Payload.data`, `VehicleAlerts.alerts`). */
const signalRecordTypes: ReadonlySet<string> = new Set(['V', 'alerts']);

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
  let protobuf: Uint8Array;
  try {
    protobuf = transformPayload(input.recordType, input.payload, input.vin);
  } catch (error) {
    if (error instanceof PayloadDecodeError) throw new RecordBuildError(error);
    throw error;
  }
  const schema = schemaByRecordType.get(input.recordType);
  const asJson = input.encoding === 'json' && schema !== undefined;
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
      payload: asJson ? protobufToJsonBytes(schema, protobuf) : protobuf,
      encoding: asJson ? 'json' : 'protobuf',
      metadata,
    },
    signalCount: signalRecordTypes.has(input.recordType) ? countField1(protobuf) : 0,
  };
}

/**
 * Counts the top-level occurrences of field 1 in an already validated message. Once per record,
 * so it walks the bytes itself: tags and lengths are read in place, without the reader's
 * per-field sub-array (groups, which our messages never hold, go to the reader).
 */
export function countField1(message: Uint8Array): number {
  let count = 0;
  let pos = 0;
  const end = message.length;
  while (pos < end) {
    const tagStart = pos;
    let tag = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = message[pos++] ?? 0;
      tag += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte >= 0x80 && pos < end);
    const wireType = tag % 8;
    if (Math.floor(tag / 8) === 1) count += 1;
    switch (wireType) {
      case 0: // varint
        while ((message[pos++] ?? 0) >= 0x80 && pos < end);
        break;
      case 1: // 64-bit
        pos += 8;
        break;
      case 2: {
        // length-delimited
        let length = 0;
        shift = 0;
        do {
          byte = message[pos++] ?? 0;
          length += (byte & 0x7f) * 2 ** shift;
          shift += 7;
        } while (byte >= 0x80 && pos < end);
        pos += length;
        break;
      }
      case 5: // 32-bit
        pos += 4;
        break;
      default:
        return count + countField1WithReader(message, tagStart);
    }
  }
  return count;
}

function countField1WithReader(message: Uint8Array, from: number): number {
  const reader = new BinaryReader(message.subarray(from));
  let count = 0;
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo === 1) count += 1;
    reader.skip(wireType, fieldNo);
  }
  return count;
}
