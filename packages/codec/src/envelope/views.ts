/**
 * Decoded frames. Every Uint8Array is a view into the decoded frame (no copy): it stays valid as
 * long as the frame's bytes are not reused. Absent vectors read as empty views, absent numbers as 0.
 */

export interface StreamView {
  /** Epoch seconds, uint32. */
  readonly createdAt: number;
  readonly senderId: Uint8Array;
  readonly payload: Uint8Array;
  readonly deviceType: Uint8Array;
  readonly deviceId: Uint8Array;
  /** Epoch milliseconds, uint64. */
  readonly deliveredAtEpochMs: bigint;
}

export interface EnvelopeView {
  readonly txid: Uint8Array;
  readonly topic: Uint8Array;
  /** The union tag: see `MessageType`. Values other than Stream are not errors. */
  readonly messageType: number;
  readonly messageId: Uint8Array;
  /** Present exactly when `messageType` is `MessageType.Stream`. */
  readonly stream?: StreamView | undefined;
}
