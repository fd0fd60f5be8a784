import type { SummedTotal } from '@fleet-telemetry/sink-api';
import type { Counter, UpDownCounter } from '@opentelemetry/api';
import type { TransportMetrics } from '../metrics.js';

/**
 * What one socket counts for one record type: the metric totals of the type, bound once so a
 * record adds to them without looking anything up, and the payload bytes of this socket (logged
 * on disconnect). Every add lands in the total a scrape reads, so metrics are exact at any time.
 */
export class RecordTypeCounts {
  /** Records of this type counted on this socket, and their payload bytes. */
  records = 0;
  bytes = 0;
  readonly #records: SummedTotal;
  readonly #payloadBytes: SummedTotal;
  readonly #signals: SummedTotal;
  readonly #vinSignals: UpDownCounter<{ record_type: string; vin: string }> | Counter | undefined;
  readonly #vinAttributes: { readonly record_type: string; readonly vin: string } | undefined;

  /**
   * @param topic the topic bytes the type was read from (a copy), to recognise the next frame's
   * @param trackedVin the socket's VIN when `vin_signal_count` tracks it
   */
  constructor(
    readonly recordType: string,
    readonly topic: Uint8Array,
    metrics: TransportMetrics,
    trackedVin: string | undefined,
  ) {
    const attributes = { record_type: recordType };
    this.#records = metrics.recordTotal.bind(attributes);
    this.#payloadBytes = metrics.recordSizeBytesTotal.bind(attributes);
    this.#signals = metrics.signalCount.bind(attributes);
    if (trackedVin !== undefined) {
      this.#vinSignals = metrics.vinSignalCount;
      this.#vinAttributes = { record_type: recordType, vin: trackedVin };
    }
  }

  /** One record of `size` payload bytes holding `signals` data points. */
  count(size: number, signals: number): void {
    this.records += 1;
    this.bytes += size;
    this.#records.add(1);
    this.#payloadBytes.add(size);
    if (signals > 0) {
      this.#signals.add(signals);
      this.#vinSignals?.add(signals, this.#vinAttributes);
    }
  }

  /** Whether `topic` holds the bytes this type was read from. */
  matches(topic: Uint8Array): boolean {
    const own = this.topic;
    if (topic.length !== own.length) return false;
    for (let index = 0; index < own.length; index++) {
      if (topic[index] !== own[index]) return false;
    }
    return true;
  }
}
