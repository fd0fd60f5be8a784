import { SinkClosedError } from '../errors.js';
import type { TelemetryRecord } from '../record.js';
import type { DeliveryCallback, Sink, SinkHealth } from '../sink.js';
import { PendingTracker } from './pending-tracker.js';

export interface FailingSinkOptions {
  /** Default `failing`. */
  readonly name?: string;
  /** The error every write fails with. */
  readonly error?: Error;
}

/** A confirming sink whose datastore is down: every write fails through its callback, a turn later. */
export class FailingSink implements Sink {
  readonly name: string;
  readonly confirmsWrites = true;
  readonly error: Error;
  readonly #pending = new PendingTracker();
  #closed = false;

  constructor(options: FailingSinkOptions = {}) {
    this.name = options.name ?? 'failing';
    this.error = options.error ?? new Error(`${this.name}: datastore unavailable`);
  }

  async start(): Promise<void> {}

  write(_record: TelemetryRecord, onDelivered?: DeliveryCallback): void {
    if (this.#closed) {
      onDelivered?.(new SinkClosedError(this.name));
      return;
    }
    this.#pending.add();
    setImmediate(() => {
      this.#pending.done();
      onDelivered?.(this.error);
    });
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
    await this.#pending.waitForIdle(Number.POSITIVE_INFINITY);
  }

  health(): SinkHealth {
    return { healthy: false, detail: this.error.message, pending: this.#pending.count };
  }
}
