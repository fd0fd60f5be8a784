import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

/** Ack latency percentiles in milliseconds (0 when nothing was recorded). */
export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

const microsPerMs = 1000;
/** Longest latency tracked exactly; anything slower is recorded as this (10 minutes). */
const highestMicros = 10 * 60 * 1_000_000;

/**
 * Ack latencies in an HDR histogram with 3 significant digits, microsecond resolution. It is Node's
 * own `perf_hooks` histogram (a binding of HdrHistogram_c): constant memory and O(1) recording however
 * many frames a run sends, accurate percentiles, and no dependency to keep up to date.
 */
export class LatencyHistogram {
  private readonly histogram: RecordableHistogram = createHistogram({
    lowest: 1,
    highest: highestMicros,
    figures: 3,
  });

  record(latencyMs: number): void {
    const micros = Math.round(latencyMs * microsPerMs);
    this.histogram.record(Math.min(highestMicros, Math.max(1, micros)));
  }

  get count(): number {
    return this.histogram.count;
  }

  /** The latency (ms) at or below which `percent`% of the recorded ones fall. */
  percentile(percent: number): number {
    return this.count === 0 ? 0 : this.histogram.percentile(percent) / microsPerMs;
  }

  summary(): LatencySummary {
    if (this.count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: this.count,
      min: this.histogram.min / microsPerMs,
      mean: this.histogram.mean / microsPerMs,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.histogram.max / microsPerMs,
    };
  }
}
