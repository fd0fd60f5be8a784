import { protobufToJsonBytes } from '../json/writer.js';
import { RECORD_SCHEMAS, isKnownRecordType } from './record-types.js';
import { transformPayload, type TransformStats } from './transform.js';
import { vehicleDataJsonBytes } from './vehicle-data-json.js';

/**
 * The record sinks receive as JSON: byte for byte
 * `protobufToJsonBytes(schema, transformPayload(recordType, payload, vin))`, where `schema` is the
 * record type's message (`V`, `alerts`, `errors`, `connectivity`). A `V` payload as vehicles
 * send it is transformed and written in one pass over its bytes, without the protobuf in between.
 *
 * With `stats`, also reports what the transform counted, as `transformPayload` does.
 *
 * @throws PayloadDecodeError when the payload does not decode (as `transformPayload`).
 * @throws JsonEncodeError when the transformed message has no JSON form (as `protobufToJsonBytes`).
 * @throws RangeError for a record type without a message.
 */
export function transformPayloadToJsonBytes(
  recordType: string,
  payload: Uint8Array,
  vin: string,
  stats?: TransformStats,
): Uint8Array {
  if (!isKnownRecordType(recordType)) throw new RangeError(`record type ${recordType} has no message to write as JSON`);
  if (recordType === 'V') {
    const fused = vehicleDataJsonBytes(payload, vin, stats);
    if (fused !== undefined) return fused;
  }
  return protobufToJsonBytes(RECORD_SCHEMAS[recordType], transformPayload(recordType, payload, vin, stats));
}
