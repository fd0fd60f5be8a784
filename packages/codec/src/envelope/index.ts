export { decodeEnvelope } from './decode.js';
export { encodeAck } from './ack.js';
export { encodeErrorResponse, encodeStreamFrame, type StreamFrameFields } from './encode.js';
export { EnvelopeDecodeError, type EnvelopeDecodeErrorReason } from './errors.js';
export { INCORRECT_MESSAGE_FORMAT, MessageType, type KnownMessageType } from './schema.js';
export { viewToString, type BytesLike, type ViewEncoding } from './bytes.js';
export type { EnvelopeView, StreamView } from './views.js';
