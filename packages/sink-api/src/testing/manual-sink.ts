import { DrainNotifier } from '../drain-notifier.js';
import { SinkClosedError } from '../errors.js';
import type { TelemetryRecord } from '../record.js';
import type { DeliveryCallback, Sink, SinkHealth } from '../sink.js';
import { PendingTracker } from './pending-tracker.js';

export interface ManualSinkOptions {
  /** Default `manual`. */
  readonly name?: string;
  /** The sink is saturated while this many writes are unsettled. Default: never saturated. */
  readonly highWaterMark?: number;
}

interface PendingWrite {
  readonly record: TelemetryRecord;
  readonly onDelivered: DeliveryCallback | undefined;
}

/**
 * A confirming sink whose writes stay pending until the test settles them, oldest first, with
 * `confirm` or `fail`. With a `highWaterMark` it saturates and drains like a bounded queue.
 */
export class ManualSink implements Sink {
  readonly name: string;
  readonly confirmsWrites = true;
  /** Every record accepted, in order. */
  readonly written: TelemetryRecord[] = [];
  /** The records confirmed so far, in order. */
  readonly confirmed: TelemetryRecord[] = [];
  readonly #highWaterMark: number;
  readonly #queue: PendingWrite[] = [];
  readonly #tracker = new PendingTracker();
  readonly #drain = new DrainNotifier();
  #closed = false;
  #started = false;

  constructor(options: ManualSinkOptions = {}) {
    this.name = options.name ?? 'manual';
    this.#highWaterMark = options.highWaterMark ?? Number.POSITIVE_INFINITY;
  }

  get pending(): number {
    return this.#queue.length;
  }

  get started(): boolean {
    return this.#started;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async start(): Promise<void> {
    this.#started = true;
  }

  write(record: TelemetryRecord, onDelivered?: DeliveryCallback): void {
    if (this.#closed) {
      onDelivered?.(new SinkClosedError(this.name));
      return;
    }
    this.written.push(record);
    this.#queue.push({ record, onDelivered });
    this.#tracker.add();
  }

  /** Confirms the `count` oldest pending writes. */
  confirm(count = 1): void {
    this.#settle(count, undefined);
  }

  confirmAll(): void {
    this.#settle(this.#queue.length, undefined);
  }

  /** Fails the `count` oldest pending writes with `error`. */
  fail(error: Error, count = 1): void {
    this.#settle(count, error);
  }

  failAll(error: Error): void {
    this.#settle(this.#queue.length, error);
  }

  isSaturated(): boolean {
    return this.#queue.length >= this.#highWaterMark;
  }

  onDrain(listener: () => void): () => void {
    return this.#drain.subscribe(listener);
  }

  flush(timeoutMs: number): Promise<void> {
    return this.#tracker.waitForIdle(timeoutMs);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.failAll(new SinkClosedError(this.name));
  }

  health(): SinkHealth {
    return { healthy: !this.#closed, detail: this.#closed ? 'closed' : 'ready', pending: this.#queue.length };
  }

  #settle(count: number, error: Error | undefined): void {
    const wasSaturated = this.isSaturated();
    for (const write of this.#queue.splice(0, count)) {
      if (error === undefined) this.confirmed.push(write.record);
      this.#tracker.done();
      write.onDelivered?.(error);
    }
    if (wasSaturated && !this.isSaturated()) this.#drain.notify();
  }
}
