import type { EnvelopeView } from './views.js';

/**
 * Why a frame is not a readable envelope:
 * - `empty`: the frame has no bytes;
 * - `truncated`: 1 to 3 bytes, too short for the root offset;
 * - `out-of-bounds`: the root table, a table's fields or a vector (its length or its bytes) lie past
 *   the end of the frame;
 * - `bad-vtable`: a table's vtable lies outside the frame or declares an impossible size;
 * - `bad-field`: a vtable places a field outside its table;
 * - `missing-message`: `message_type` is Stream but the envelope has no `message`;
 * - `bad-union`: `message_type` is Stream but `message` is not a readable Stream table.
 */
export type EnvelopeDecodeErrorReason =
  | 'empty'
  | 'truncated'
  | 'out-of-bounds'
  | 'bad-vtable'
  | 'bad-field'
  | 'missing-message'
  | 'bad-union';

/**
 * A frame that is not a readable envelope. These errors carry no stack frames: they describe the
 * input, not the code, and capturing a stack made a rejection cost five times more than a decode
 * (hostile clients can send nothing but garbage).
 */
export class EnvelopeDecodeError extends Error {
  readonly reason: EnvelopeDecodeErrorReason;
  /**
   * The envelope's own fields when only its Stream message is broken (`missing-message`,
   * `bad-union`), so the caller can still answer with the frame's txid; `stream` is undefined there.
   */
  readonly envelope: EnvelopeView | undefined;

  constructor(reason: EnvelopeDecodeErrorReason, detail: string, envelope?: EnvelopeView) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(`invalid envelope (${reason}): ${detail}`);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.reason = reason;
    this.envelope = envelope;
  }
}

// On the prototype, so that the stack header written during construction already says it.
Object.defineProperty(EnvelopeDecodeError.prototype, 'name', { value: 'EnvelopeDecodeError', configurable: true, writable: true });
