/** Per-socket bounds and timers. Every field has a default; see the README for the memory bounds. */
export interface SocketLimits {
  /**
   * Frames longer than this get the error response (the reference's 1,000,000 bytes). Frames up
   * to `maxPayloadBytes` are read to answer them; larger ones close the socket (1009).
   */
  readonly maxFrameBytes: number;
  /** The WebSocket message size limit: the most a single frame can make the server buffer. */
  readonly maxPayloadBytes: number;
  /** Records awaiting reliable acks on one socket before it stops being read. */
  readonly maxPendingAcks: number;
  /** Payload bytes awaiting reliable acks on one socket before it stops being read. */
  readonly maxPendingBytes: number;
  /** Outgoing bytes queued on one socket (a client not reading its acks) before it stops being read. */
  readonly maxBufferedBytes: number;
  /** How often each socket is pinged. */
  readonly pingIntervalMs: number;
  /** A socket that has sent nothing (not even a pong) for this long is dropped. */
  readonly idleTimeoutMs: number;
  /** How long a closing handshake may take before the connection is cut. */
  readonly closeTimeoutMs: number;
}

export const defaultSocketLimits: SocketLimits = {
  maxFrameBytes: 1_000_000,
  // 1 MiB: a little above the size rule, so frames just over it still get the error response.
  maxPayloadBytes: 1_048_576,
  maxPendingAcks: 256,
  maxPendingBytes: 8 * 1_048_576,
  maxBufferedBytes: 256 * 1024,
  pingIntervalMs: 30_000,
  idleTimeoutMs: 90_000,
  closeTimeoutMs: 5_000,
};

export function resolveSocketLimits(overrides: Partial<SocketLimits> = {}): SocketLimits {
  const limits = { ...defaultSocketLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
    }
  }
  if (limits.maxPayloadBytes < limits.maxFrameBytes) {
    throw new RangeError('maxPayloadBytes must be at least maxFrameBytes, or oversized frames could not be answered');
  }
  return limits;
}
