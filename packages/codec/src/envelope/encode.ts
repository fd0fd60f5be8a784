import { EMPTY_BYTES, toBytes, type BytesLike } from './bytes.js';
import { FrameWriter } from './frame-writer.js';
import { BackLayout, type TablePlacement } from './layout.js';
import { INCORRECT_MESSAGE_FORMAT, MessageType } from './schema.js';

/** Fields of a Stream frame; strings are written as UTF-8, absent fields as empty vectors or 0. */
export interface StreamFrameFields {
  readonly txid: BytesLike;
  readonly topic: BytesLike;
  readonly messageId?: BytesLike | undefined;
  /** Epoch seconds, a uint32. */
  readonly createdAt?: number | undefined;
  readonly senderId?: BytesLike | undefined;
  readonly payload: BytesLike;
  readonly deviceType?: BytesLike | undefined;
  readonly deviceId?: BytesLike | undefined;
  /** Epoch milliseconds, a uint64. */
  readonly deliveredAtEpochMs?: bigint | number | undefined;
}

const UINT32_MAX = 0xffffffff;
const UINT64_MAX = 0xffffffffffffffffn;

/**
 * Encodes Envelope{txid, topic, message_type = Stream, message = Stream{...}, message_id}, laid out
 * exactly as the reference server's builder does (every vector written, even when empty; zero
 * scalars left out).
 *
 * @throws RangeError when `createdAt` is not a uint32 or `deliveredAtEpochMs` not a uint64.
 */
export function encodeStreamFrame(fields: StreamFrameFields): Uint8Array {
  const createdAt = fields.createdAt ?? 0;
  if (!Number.isInteger(createdAt) || createdAt < 0 || createdAt > UINT32_MAX) {
    throw new RangeError(`createdAt must be a uint32 (epoch seconds), got ${createdAt}`);
  }
  const deliveredAt = toUint64(fields.deliveredAtEpochMs ?? 0);
  return writeStreamFrame(
    toBytes(fields.txid),
    toBytes(fields.topic),
    optionalBytes(fields.messageId),
    createdAt,
    optionalBytes(fields.senderId),
    toBytes(fields.payload),
    optionalBytes(fields.deviceType),
    optionalBytes(fields.deviceId),
    deliveredAt,
  );
}

const INCORRECT_MESSAGE_FORMAT_BYTES = toBytes(INCORRECT_MESSAGE_FORMAT);

/**
 * The error response: Envelope{txid, topic = empty, message_type = Stream,
 * message = Stream{payload = "incorrect message format"}, message_id = empty}.
 */
export function encodeErrorResponse(txid: BytesLike): Uint8Array {
  return writeStreamFrame(
    toBytes(txid),
    EMPTY_BYTES,
    EMPTY_BYTES,
    0,
    EMPTY_BYTES,
    INCORRECT_MESSAGE_FORMAT_BYTES,
    EMPTY_BYTES,
    EMPTY_BYTES,
    0n,
  );
}

function writeStreamFrame(
  txid: Uint8Array,
  topic: Uint8Array,
  messageId: Uint8Array,
  createdAt: number,
  senderId: Uint8Array,
  payload: Uint8Array,
  deviceType: Uint8Array,
  deviceId: Uint8Array,
  deliveredAt: bigint,
): Uint8Array {
  // Placement order follows the reference builder: the Stream's vectors, the Stream table (fields
  // added as sender_id, created_at, payload, device_type, device_id, delivered_at), then the
  // envelope's vectors and the envelope table.
  const layout = new BackLayout();
  const senderIdVector = layout.byteVector(senderId.length);
  const payloadVector = layout.byteVector(payload.length);
  const deviceTypeVector = layout.byteVector(deviceType.length);
  const deviceIdVector = layout.byteVector(deviceId.length);
  layout.startTable();
  const senderIdField = layout.field(4);
  const createdAtField = createdAt !== 0 ? layout.field(4) : 0;
  const payloadField = layout.field(4);
  const deviceTypeField = layout.field(4);
  const deviceIdField = layout.field(4);
  const deliveredAtField = deliveredAt !== 0n ? layout.field(8) : 0;
  // Slot order: created_at, sender_id, payload, device_type, device_id, delivered_at_epoch_ms.
  const streamSlots = [createdAtField, senderIdField, payloadField, deviceTypeField, deviceIdField];
  if (deliveredAtField !== 0) streamSlots.push(deliveredAtField);
  const stream = layout.endTable(streamSlots.length);

  const txidVector = layout.byteVector(txid.length);
  const topicVector = layout.byteVector(topic.length);
  const messageIdVector = layout.byteVector(messageId.length);
  const envelope = placeEnvelope(layout);
  const writer = new FrameWriter(layout.finish());

  writer.byteVector(senderIdVector, senderId);
  writer.byteVector(payloadVector, payload);
  writer.byteVector(deviceTypeVector, deviceType);
  writer.byteVector(deviceIdVector, deviceId);
  writer.table(stream, streamSlots);
  writer.offset(senderIdField, senderIdVector);
  if (createdAtField !== 0) writer.uint32(createdAtField, createdAt);
  writer.offset(payloadField, payloadVector);
  writer.offset(deviceTypeField, deviceTypeVector);
  writer.offset(deviceIdField, deviceIdVector);
  if (deliveredAtField !== 0) writer.uint64(deliveredAtField, deliveredAt);

  writer.byteVector(txidVector, txid);
  writer.byteVector(topicVector, topic);
  writer.byteVector(messageIdVector, messageId);
  writeEnvelope(writer, envelope, txidVector, topicVector, stream.table, messageIdVector);
  return writer.bytes;
}

interface EnvelopePlacement {
  readonly txid: number;
  readonly topic: number;
  readonly messageType: number;
  readonly message: number;
  readonly messageId: number;
  readonly table: TablePlacement;
}

/** The envelope table of a Stream frame, fields added in the reference's order (all present). */
function placeEnvelope(layout: BackLayout): EnvelopePlacement {
  layout.startTable();
  const txid = layout.field(4);
  const topic = layout.field(4);
  const messageType = layout.field(1);
  const message = layout.field(4);
  const messageId = layout.field(4);
  const table = layout.endTable(5);
  return { txid, topic, messageType, message, messageId, table };
}

function writeEnvelope(
  writer: FrameWriter,
  envelope: EnvelopePlacement,
  txidVector: number,
  topicVector: number,
  message: number,
  messageIdVector: number,
): void {
  writer.table(envelope.table, [envelope.txid, envelope.topic, envelope.messageType, envelope.message, envelope.messageId]);
  writer.offset(envelope.txid, txidVector);
  writer.offset(envelope.topic, topicVector);
  writer.uint8(envelope.messageType, MessageType.Stream);
  writer.offset(envelope.message, message);
  writer.offset(envelope.messageId, messageIdVector);
  writer.root(envelope.table.table);
}

function optionalBytes(value: BytesLike | undefined): Uint8Array {
  return value === undefined ? EMPTY_BYTES : toBytes(value);
}

function toUint64(value: bigint | number): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`deliveredAtEpochMs must be an integer, got ${value}`);
  }
  const big = BigInt(value);
  if (big < 0n || big > UINT64_MAX) {
    throw new RangeError(`deliveredAtEpochMs must be a uint64 (epoch milliseconds), got ${value}`);
  }
  return big;
}
