import { fromBinary, fromJsonString, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import type { PayloadEncoding } from '@fleet-telemetry/sink-api';

const textDecoder = new TextDecoder();

/** Decodes a record payload as the sinks receive it: protobuf, or canonical proto JSON. */
export function decodePayload<Desc extends DescMessage>(
  schema: Desc,
  payload: Uint8Array,
  encoding: PayloadEncoding,
): MessageShape<Desc> {
  return encoding === 'json'
    ? fromJsonString(schema, textDecoder.decode(payload), { ignoreUnknownFields: true })
    : fromBinary(schema, payload);
}
