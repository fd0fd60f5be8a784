import { SinkClosedError, type DeliveryCallback, type Sink, type SinkHealth, type TelemetryRecord } from '../../src/index.js';

export type Quirk =
  | 'none'
  | 'confirms-twice'
  | 'confirms-before-storing'
  | 'throws-after-close'
  | 'second-close-rejects'
  | 'flush-returns-early'
  | 'close-drops-pending'
  | 'unhealthy'
  | 'calls-back-late-without-confirming';

/** A memory-backed sink that breaks one rule of the Sink contract, to prove the checks notice. */
export class QuirkySink implements Sink {
  readonly name = 'quirky';
  readonly confirmsWrites: boolean;
  readonly stored: TelemetryRecord[] = [];
  #pending = new Set<() => void>();
  #closed = false;

  constructor(private readonly quirk: Quirk) {
    this.confirmsWrites = quirk !== 'calls-back-late-without-confirming';
  }

  async start(): Promise<void> {}

  write(record: TelemetryRecord, onDelivered?: DeliveryCallback): void {
    if (this.#closed) {
      if (this.quirk === 'throws-after-close') throw new Error('closed');
      onDelivered?.(new SinkClosedError(this.name));
      return;
    }
    if (this.quirk === 'confirms-before-storing') {
      onDelivered?.();
      setTimeout(() => this.stored.push(record), 20);
      return;
    }
    this.stored.push(record);
    const settle = () => {
      this.#pending.delete(settle);
      onDelivered?.();
      if (this.quirk === 'confirms-twice') setImmediate(() => onDelivered?.());
    };
    this.#pending.add(settle);
    setTimeout(settle, 2);
  }

  async readBack(): Promise<readonly TelemetryRecord[]> {
    return [...this.stored];
  }

  isSaturated(): boolean {
    return false;
  }

  onDrain(): () => void {
    return () => {};
  }

  async flush(): Promise<void> {
    if (this.quirk === 'flush-returns-early') return;
    while (this.#pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  async close(): Promise<void> {
    if (this.#closed && this.quirk === 'second-close-rejects') throw new Error('already closed');
    this.#closed = true;
    if (this.quirk === 'close-drops-pending') return;
    await this.flush();
  }

  health(): SinkHealth {
    return { healthy: this.quirk !== 'unhealthy' };
  }
}
