import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { LatencyHistogram } from '@fleet-telemetry/vehicle-sim';
import type { LatencyPercentiles } from './protocol.js';

const microsPerMs = 1000;
/** Same range and precision as the simulator's histogram: 1 µs to 10 minutes, 3 digits. */
const highestMicros = 10 * 60 * 1_000_000;

/**
 * Ack latencies of the measurement window only. The simulator keeps one histogram for a whole
 * run, connection ramp included, where latencies are high while the server is busy with TLS
 * handshakes; its `LatencyHistogram.record` is wrapped so that every latency it records while the
 * window is open is also recorded here.
 */
export class LatencyWindow {
  private histogram: RecordableHistogram | undefined;
  private uninstall: (() => void) | undefined;

  /** Starts watching the simulator's latencies. Returns a function that stops it. */
  install(): () => void {
    if (this.uninstall) return this.uninstall;
    const original = LatencyHistogram.prototype.record;
    const recordInWindow = (latencyMs: number): void => {
      this.histogram?.record(Math.min(highestMicros, Math.max(1, Math.round(latencyMs * microsPerMs))));
    };
    LatencyHistogram.prototype.record = function record(this: LatencyHistogram, latencyMs: number): void {
      original.call(this, latencyMs);
      recordInWindow(latencyMs);
    };
    this.uninstall = () => {
      LatencyHistogram.prototype.record = original;
      this.uninstall = undefined;
    };
    return this.uninstall;
  }

  open(): void {
    this.histogram = createHistogram({ lowest: 1, highest: highestMicros, figures: 3 });
  }

  /** Closes the window and returns its percentiles in ms. */
  close(): LatencyPercentiles {
    const histogram = this.histogram;
    this.histogram = undefined;
    if (histogram === undefined || histogram.count === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    const at = (percent: number): number => histogram.percentile(percent) / microsPerMs;
    return { count: histogram.count, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: histogram.max / microsPerMs };
  }
}
