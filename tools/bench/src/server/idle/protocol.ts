/** Idle connections: many mTLS WebSockets that send nothing, to measure a server's memory per socket. */
export interface IdleSettings {
  readonly url: string;
  readonly pkiDir: string;
  readonly connections: number;
  /** Vehicle certificates shared round-robin by the sockets. */
  readonly certificates: number;
  /** Handshakes in progress at once. */
  readonly concurrency: number;
  readonly handshakeTimeoutMs: number;
  /** Attempts per socket before the run gives up. */
  readonly attempts: number;
}

export interface IdleState {
  /** `opening` while sockets are being opened; `ready` once all are open; `failed` when one could not be. */
  readonly status: 'opening' | 'ready' | 'failed';
  readonly open: number;
  /** Failed attempts so far (retried up to `attempts` times per socket). */
  readonly failures: number;
  readonly target: number;
  readonly reason?: string;
}

export type IdleProtocol = {
  /** Closes every socket (without a closing handshake, so 10,000 sockets go at once). */
  stop: { params: null; result: null };
};

export type IdleEvents = {
  /** Every second while opening, and when the status changes. */
  state: IdleState;
};
