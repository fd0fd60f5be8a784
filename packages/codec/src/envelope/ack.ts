import { toBytes, writeAsciiOrBytes, writeUint32, type BytesLike } from './bytes.js';
import { MessageType } from './schema.js';

/*
 * Acks are written once per record, so they get a dedicated writer instead of the general
 * BackLayout/FrameWriter pair. The bytes are the same as what the official builders produce for
 * the reference server's ack (tests hold both to it); only two vector lengths vary, so the layout
 * is a fixed 52-byte head followed by the topic and the txid:
 *
 *   0  root offset = 20                  20 soffset = 14 (vtable at 6)
 *   4  2 bytes padding                   24 message_id -> 44          (uoffset 20)
 *   6  vtable: 14 bytes, table 24 bytes, 28 message    -> size - 8    (uoffset size - 36)
 *      txid@20 topic@16 message_type@15  32 3 bytes padding, 35 message_type = 5
 *      message@8 message_id@4            36 topic      -> 52          (uoffset 16)
 *                                        40 txid       -> txidVector  (uoffset txidVector - 40)
 *  44  message_id: length 0, NUL, 3 bytes padding
 *  52  topic: length, bytes, NUL, padding to 4
 *      txid: length, bytes, NUL, padding to 4
 *      message: length 0, NUL, 3 bytes padding (the empty [ubyte] vector the reference uses)
 */
const TOPIC_VECTOR = 52;
const TXID_FIELD = 40;
const MESSAGE_FIELD = 28;
const EMPTY_VECTOR_SIZE = 8;

const HEAD = new Uint8Array(TOPIC_VECTOR);
writeUint32(HEAD, 0, 20);
for (const [at, value] of [[6, 14], [8, 24], [10, 20], [12, 16], [14, 15], [16, 8], [18, 4]] as const) {
  HEAD[at] = value;
  HEAD[at + 1] = value >>> 8;
}
writeUint32(HEAD, 20, 14);
writeUint32(HEAD, 24, 20);
HEAD[35] = MessageType.StreamAck;
writeUint32(HEAD, 36, 16);

/** Bytes a vector's content takes with its NUL terminator, padded to 4. */
function paddedContent(length: number): number {
  return (length + 4) & ~3;
}

/**
 * Everything of an ack but the txid and topic bytes depends only on their lengths: one template per
 * pair of lengths, copied in one go. Bounded, since txid lengths come from the vehicles.
 */
const MAX_TEMPLATES = 256;
const MAX_CACHED_LENGTH = 0xffff;
const templates = new Map<number, Uint8Array>();

function ackTemplate(txidLength: number, topicLength: number): Uint8Array {
  const cacheable = txidLength <= MAX_CACHED_LENGTH && topicLength <= MAX_CACHED_LENGTH;
  const key = txidLength * (MAX_CACHED_LENGTH + 1) + topicLength;
  let template = cacheable ? templates.get(key) : undefined;
  if (template !== undefined) return template;
  const txidVector = TOPIC_VECTOR + 4 + paddedContent(topicLength);
  const messageVector = txidVector + 4 + paddedContent(txidLength);
  template = new Uint8Array(messageVector + EMPTY_VECTOR_SIZE);
  template.set(HEAD, 0);
  writeUint32(template, MESSAGE_FIELD, messageVector - MESSAGE_FIELD);
  writeUint32(template, TXID_FIELD, txidVector - TXID_FIELD);
  writeUint32(template, TOPIC_VECTOR, topicLength);
  writeUint32(template, txidVector, txidLength);
  if (cacheable) {
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(key, template);
  }
  return template;
}

/**
 * The ack: Envelope{txid, topic, message_type = StreamAck, message = the offset of an empty [ubyte]
 * vector, message_id = empty}. The reference writes that vector rather than a StreamAck table and
 * vehicles accept exactly that, so we write it too. Strings are written as UTF-8.
 *
 * The returned bytes may share their ArrayBuffer with other pooled buffers (Node's Buffer pool).
 */
export function encodeAck(txid: BytesLike, topic: BytesLike): Uint8Array {
  // Optimistically take string lengths as byte lengths (ASCII, the usual case) and fall back to
  // encoding when a string turns out not to be ASCII.
  const template = ackTemplate(txid.length, topic.length);
  // Pooled: a fresh ArrayBuffer per ack costs more than everything else here.
  const out = Buffer.allocUnsafe(template.length);
  out.set(template, 0);
  const txidAt = TOPIC_VECTOR + 8 + paddedContent(topic.length);
  if (writeAsciiOrBytes(out, TOPIC_VECTOR + 4, topic) && writeAsciiOrBytes(out, txidAt, txid)) return out;
  return encodeAck(toBytes(txid), toBytes(topic));
}
