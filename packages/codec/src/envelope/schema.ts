/**
 * The envelope schema (protos/envelope.fbs) as numbers: union tags and field slots. Slot numbers
 * are positions in a table's vtable; they are the wire format and never change.
 */

/** Union tags of `FlatbuffersEnvelope.message`. Any other value is an unknown message type. */
export const MessageType = {
  None: 0,
  Stream: 4,
  StreamAck: 5,
} as const;

export type KnownMessageType = (typeof MessageType)[keyof typeof MessageType];

export const EnvelopeSlot = {
  txid: 0,
  topic: 1,
  messageType: 2,
  message: 3,
  messageId: 4,
} as const;

export const StreamSlot = {
  createdAt: 0,
  senderId: 1,
  payload: 2,
  deviceType: 3,
  deviceId: 4,
  deliveredAtEpochMs: 5,
} as const;

/** The payload text of every error response the server sends (the reference server's wording). */
export const INCORRECT_MESSAGE_FORMAT = 'incorrect message format';
