import { readUint32 } from './bytes.js';
import { EnvelopeDecodeError } from './errors.js';
import { EnvelopeSlot, MessageType, StreamSlot } from './schema.js';
import { byteVectorField, openTable, tableField, uint32Field, uint64Field, uint8Field } from './table-reader.js';
import type { EnvelopeView, StreamView } from './views.js';

/**
 * Reads a frame's envelope without copying: every byte field is a view into `frame`.
 *
 * A well-formed envelope whose `messageType` is not Stream (NONE, StreamAck, an unknown tag) is not
 * an error: it decodes with `stream` undefined and its `message` is not looked at. When
 * `messageType` is Stream, the message must be a readable Stream table: a missing message throws
 * `missing-message`, an unreadable one `bad-union`, and both errors carry the envelope's own fields
 * (`error.envelope`) so the caller can still answer with the txid.
 *
 * @throws EnvelopeDecodeError for any malformed frame; never another error, never a long loop.
 */
export function decodeEnvelope(frame: Uint8Array): EnvelopeView {
  if (frame.length < 4) {
    throw frame.length === 0
      ? new EnvelopeDecodeError('empty', 'the frame has no bytes')
      : new EnvelopeDecodeError('truncated', `${frame.length} bytes cannot hold the root offset`);
  }
  const envelope = openTable(frame, readUint32(frame, 0));
  const txid = byteVectorField(frame, envelope, EnvelopeSlot.txid);
  const topic = byteVectorField(frame, envelope, EnvelopeSlot.topic);
  const messageType = uint8Field(frame, envelope, EnvelopeSlot.messageType);
  const messageId = byteVectorField(frame, envelope, EnvelopeSlot.messageId);
  if (messageType !== MessageType.Stream) {
    return { txid, topic, messageType, messageId, stream: undefined };
  }
  const message = tableField(frame, envelope, EnvelopeSlot.message);
  if (message < 0) {
    throw new EnvelopeDecodeError('missing-message', 'message_type is Stream but the envelope has no message', {
      txid,
      topic,
      messageType,
      messageId,
      stream: undefined,
    });
  }
  let stream: StreamView;
  try {
    stream = decodeStream(frame, message);
  } catch (error) {
    if (!(error instanceof EnvelopeDecodeError)) throw error;
    throw new EnvelopeDecodeError('bad-union', `the Stream message is unreadable: ${error.message}`, {
      txid,
      topic,
      messageType,
      messageId,
      stream: undefined,
    });
  }
  return { txid, topic, messageType, messageId, stream };
}

function decodeStream(frame: Uint8Array, position: number): StreamView {
  const table = openTable(frame, position);
  return {
    createdAt: uint32Field(frame, table, StreamSlot.createdAt),
    senderId: byteVectorField(frame, table, StreamSlot.senderId),
    payload: byteVectorField(frame, table, StreamSlot.payload),
    deviceType: byteVectorField(frame, table, StreamSlot.deviceType),
    deviceId: byteVectorField(frame, table, StreamSlot.deviceId),
    deliveredAtEpochMs: uint64Field(frame, table, StreamSlot.deliveredAtEpochMs),
  };
}
