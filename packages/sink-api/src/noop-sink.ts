import { SinkClosedError } from './errors.js';
import type { TelemetryRecord } from './record.js';
import type { DeliveryCallback, Sink, SinkHealth } from './sink.js';

/**
 * Discards every record and confirms it at once: measures the server without a datastore, or
 * drops a record type on purpose.
 */
export class NoopSink implements Sink {
  readonly confirmsWrites = true;
  #closed = false;

  constructor(readonly name = 'noop') {}

  async start(): Promise<void> {}

  write(_record: TelemetryRecord, onDelivered?: DeliveryCallback): void {
    onDelivered?.(this.#closed ? new SinkClosedError(this.name) : undefined);
  }

  isSaturated(): boolean {
    return false;
  }

  onDrain(): () => void {
    // Never saturated, so never drains.
    return () => {};
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
  }

  health(): SinkHealth {
    return this.#closed ? { healthy: false, detail: 'closed', pending: 0 } : { healthy: true, pending: 0 };
  }
}
