import type { TelemetryRecord } from './record.js';

/**
 * Called exactly once per written record: without an error when the datastore has the record, with
 * one when the sink gave up on it (or refused it, e.g. after `close()`).
 */
export type DeliveryCallback = (error?: Error) => void;

export interface SinkHealth {
  readonly healthy: boolean;
  /** Human-readable state, e.g. "connected", "broker unreachable for 12s". */
  readonly detail?: string;
  /** Records accepted but not yet confirmed or failed. */
  readonly pending?: number;
}

/**
 * A datastore the server writes records to.
 *
 * The contract (checked by `@fleet-telemetry/sink-api/conformance`):
 * - `write` never throws; every problem reaches `onDelivered` (and the sink's logs and metrics).
 * - A confirming sink (`confirmsWrites: true`) calls `onDelivered` exactly once per record, and
 *   without an error only once the record can be read back from the datastore.
 * - A sink that cannot confirm (`confirmsWrites: false`) calls `onDelivered`, if given, synchronously
 *   inside `write`: it cannot know more later, and callers must never wait on it.
 * - After `close()` (which may be called any number of times) `write` calls back with an error
 *   (`SinkClosedError`), and `close()` resolves only after every earlier callback was called.
 */
export interface Sink {
  /** The name used in the config's `records` and `reliable_ack_sources` (e.g. `kafka`). */
  readonly name: string;
  /** Whether `write` reports delivery, so the sink can be a reliable-ack source. */
  readonly confirmsWrites: boolean;
  /** Connects and proves the datastore is usable; rejects with a clear message when it is not. */
  start(): Promise<void>;
  /** Accepts a record. See the interface notes for when `onDelivered` is called. */
  write(record: TelemetryRecord, onDelivered?: DeliveryCallback): void;
  /** True while the sink wants producers to stop feeding it (e.g. a full local queue). */
  isSaturated(): boolean;
  /** Registers a listener called when a saturated sink can take records again. Returns an unsubscribe. */
  onDrain(listener: () => void): () => void;
  /** Waits until everything accepted so far is confirmed or failed, at most `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
  /** Flushes what it can, fails what is left, and releases the datastore client. Idempotent. */
  close(): Promise<void>;
  health(): SinkHealth;
}
