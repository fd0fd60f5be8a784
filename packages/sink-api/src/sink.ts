import type { TelemetryRecord } from './record.js';

/**
 * Called once per written record by sinks that can confirm writes: without an error when the
 * datastore has the record, with one when the sink gave up on it.
 */
export type DeliveryCallback = (error?: Error) => void;

export interface SinkHealth {
  readonly healthy: boolean;
  /** Human-readable state, e.g. "connected", "broker unreachable for 12s". */
  readonly detail?: string;
  /** Records accepted but not yet confirmed or failed. */
  readonly pending?: number;
}

/** A datastore the server writes records to. */
export interface Sink {
  /** The name used in the config's `records` and `reliable_ack_sources` (e.g. `kafka`). */
  readonly name: string;
  /** Whether `write` reports delivery, so the sink can be a reliable-ack source. */
  readonly confirmsWrites: boolean;
  /** Connects and proves the datastore is usable; rejects with a clear message when it is not. */
  start(): Promise<void>;
  /**
   * Accepts a record. Never throws for datastore trouble: failures go to `onDelivered` (and the
   * sink's logs and metrics). Sinks that cannot confirm call `onDelivered` right away, if given.
   */
  write(record: TelemetryRecord, onDelivered?: DeliveryCallback): void;
  /** True while the sink wants producers to stop feeding it (e.g. a full local queue). */
  isSaturated(): boolean;
  /** Registers a listener called when a saturated sink can take records again. Returns an unsubscribe. */
  onDrain(listener: () => void): () => void;
  /** Waits until everything accepted so far is confirmed or failed, at most `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
  /** Flushes what it can and releases the datastore client. */
  close(): Promise<void>;
  health(): SinkHealth;
}
