import { SinkClosedError } from '../errors.js';
import type { TelemetryRecord } from '../record.js';
import type { DeliveryCallback, Sink, SinkHealth } from '../sink.js';
import { PendingTracker } from './pending-tracker.js';

export interface MemorySinkOptions {
  /** Default `memory`. */
  readonly name?: string;
  /** Default true. A non-confirming memory sink stands in for the logger. */
  readonly confirmsWrites?: boolean;
}

/**
 * Keeps every record in `records`. A confirming memory sink confirms on a later event-loop turn,
 * as a real datastore would, and only after the record is stored.
 */
export class MemorySink implements Sink {
  readonly name: string;
  readonly confirmsWrites: boolean;
  readonly records: TelemetryRecord[] = [];
  readonly #pending = new PendingTracker();
  #closed = false;

  constructor(options: MemorySinkOptions = {}) {
    this.name = options.name ?? 'memory';
    this.confirmsWrites = options.confirmsWrites ?? true;
  }

  async start(): Promise<void> {}

  write(record: TelemetryRecord, onDelivered?: DeliveryCallback): void {
    if (this.#closed) {
      onDelivered?.(new SinkClosedError(this.name));
      return;
    }
    this.records.push(record);
    if (onDelivered === undefined) return;
    if (!this.confirmsWrites) {
      onDelivered();
      return;
    }
    this.#pending.add();
    setImmediate(() => {
      this.#pending.done();
      onDelivered();
    });
  }

  /** The records a reader of this store would see now. */
  async readBack(): Promise<readonly TelemetryRecord[]> {
    return [...this.records];
  }

  isSaturated(): boolean {
    return false;
  }

  onDrain(): () => void {
    return () => {};
  }

  flush(timeoutMs: number): Promise<void> {
    return this.#pending.waitForIdle(timeoutMs);
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Confirmations already scheduled still arrive; close resolves after them.
    await this.#pending.waitForIdle(Number.POSITIVE_INFINITY);
  }

  health(): SinkHealth {
    return { healthy: !this.#closed, detail: this.#closed ? 'closed' : 'ready', pending: this.#pending.count };
  }
}
