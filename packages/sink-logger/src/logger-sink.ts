import {
  SinkClosedError,
  type DeliveryCallback,
  type Sink,
  type SinkHealth,
  type TelemetryRecord,
} from '@fleet-telemetry/sink-api';
import { readableRecord, type ReadableRecord } from '@fleet-telemetry/codec';
import type { Logger } from 'pino';

export interface LoggerSinkOptions {
  /** Where the `record_payload` lines go. */
  readonly logger: Logger;
  /** The config's `logger.verbose`: show each `V` value with its type, e.g. `{ "floatValue": 1.5 }`. */
  readonly verbose?: boolean;
  /** Default `logger`, the name the config's `records` uses. */
  readonly name?: string;
}

/**
 * Writes each record as one structured log line: message `record_payload` with the VIN, the
 * record's metadata and a readable map of its data. It cannot confirm anything about a log line,
 * so it is never a reliable-ack source: `onDelivered` is called inside `write`.
 */
export class LoggerSink implements Sink {
  readonly name: string;
  readonly confirmsWrites = false;
  readonly #logger: Logger;
  readonly #verbose: boolean;
  #closed = false;

  constructor(options: LoggerSinkOptions) {
    this.name = options.name ?? 'logger';
    this.#logger = options.logger;
    this.#verbose = options.verbose ?? false;
  }

  async start(): Promise<void> {}

  write(record: TelemetryRecord, onDelivered?: DeliveryCallback): void {
    if (this.#closed) {
      onDelivered?.(new SinkClosedError(this.name));
      return;
    }
    this.#log(record);
    onDelivered?.();
  }

  isSaturated(): boolean {
    return false;
  }

  onDrain(): () => void {
    // Never saturated, so never drains.
    return () => {};
  }

  async flush(timeoutMs: number): Promise<void> {
    await flushLogger(this.#logger, timeoutMs);
  }

  /** Stops taking records and flushes the logger; the logger itself stays open (it is shared). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await flushLogger(this.#logger, CLOSE_FLUSH_TIMEOUT_MS);
  }

  health(): SinkHealth {
    return this.#closed ? { healthy: false, detail: 'closed', pending: 0 } : { healthy: true, pending: 0 };
  }

  #log(record: TelemetryRecord): void {
    // Decoding is most of the cost; skip it when the line would be dropped anyway.
    if (!this.#logger.isLevelEnabled('info')) return;
    const data = readableRecord(record.recordType, record.payload, { typed: this.#verbose, encoding: record.encoding });
    const failure = decodeFailure(data);
    if (failure !== undefined) {
      this.#logger.error(
        { error: failure.error, raw: failure.raw, vin: record.vin, txtype: record.recordType, metadata: record.metadata },
        'record_logging_error',
      );
      return;
    }
    this.#logger.info({ activity: true, vin: record.vin, metadata: record.metadata, data }, 'record_payload');
  }
}

/**
 * `readableRecord` never throws: a payload that does not decode comes back as `{ raw, error }`.
 * No readable record has those keys otherwise (`V` keys are `Vin`, `CreatedAt` and field names).
 */
function decodeFailure(data: ReadableRecord): { raw: string; error: string } | undefined {
  if (Array.isArray(data)) return undefined;
  const { raw, error } = data;
  return typeof raw === 'string' && typeof error === 'string' ? { raw, error } : undefined;
}

const CLOSE_FLUSH_TIMEOUT_MS = 5_000;

/** Waits for an asynchronous pino destination to write out what it buffered, at most `timeoutMs`. */
function flushLogger(logger: Logger, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    try {
      logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      // A destination that cannot flush (a plain stream) has nothing buffered in pino.
      clearTimeout(timer);
      resolve();
    }
  });
}
