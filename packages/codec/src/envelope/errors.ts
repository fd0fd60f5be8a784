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

export class EnvelopeDecodeError extends Error {
  override readonly name = 'EnvelopeDecodeError';
  readonly reason: EnvelopeDecodeErrorReason;
  /**
   * The envelope's own fields when only its Stream message is broken (`missing-message`,
   * `bad-union`), so the caller can still answer with the frame's txid; `stream` is undefined there.
   */
  readonly envelope: EnvelopeView | undefined;

  constructor(reason: EnvelopeDecodeErrorReason, detail: string, envelope?: EnvelopeView) {
    super(`invalid envelope (${reason}): ${detail}`);
    this.reason = reason;
    this.envelope = envelope;
  }
}
