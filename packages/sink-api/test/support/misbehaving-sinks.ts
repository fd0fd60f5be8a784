import type { DeliveryCallback, Sink, SinkHealth, TelemetryRecord } from '../../src/index.js';

/** A sink with a scripted bug in `write`, for checking that the router survives it. */
export class MisbehavingSink implements Sink {
  readonly confirmsWrites = true;
  readonly written: TelemetryRecord[] = [];

  constructor(
    readonly name: string,
    private readonly behaviour: 'throw' | 'confirm-twice' | 'confirm-then-fail' | 'confirm-then-throw',
  ) {}

  async start(): Promise<void> {}

  write(record: TelemetryRecord, onDelivered?: DeliveryCallback): void {
    this.written.push(record);
    switch (this.behaviour) {
      case 'throw':
        throw new Error(`${this.name} exploded`);
      case 'confirm-twice':
        onDelivered?.();
        onDelivered?.();
        return;
      case 'confirm-then-fail':
        onDelivered?.();
        onDelivered?.(new Error('late failure'));
        return;
      case 'confirm-then-throw':
        onDelivered?.();
        throw new Error(`${this.name} exploded after confirming`);
    }
  }

  isSaturated(): boolean {
    return false;
  }

  onDrain(): () => void {
    return () => {};
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  health(): SinkHealth {
    return { healthy: true };
  }
}
