import type { MetricFamily } from '../metrics/exposition.js';
import { cumulativeFamilies, mergeMetricFamilies } from '../metrics/merge.js';

/**
 * The last metrics each worker reported, and the counters of workers that are gone. A worker's
 * counters do not vanish with it: the merged counters of the pool keep them, so they never go
 * down when a worker is replaced (Prometheus would read that as a reset and count the surviving
 * workers' totals again as new increase).
 */
export class WorkerMetrics {
  readonly #latest = new Map<number, MetricFamily[]>();
  #retired: MetricFamily[] = [];

  update(workerId: number, families: MetricFamily[]): void {
    this.#latest.set(workerId, families);
  }

  /** The worker ended: its counters and histograms, as last reported, join the retired totals. */
  retire(workerId: number): void {
    const latest = this.#latest.get(workerId);
    this.#latest.delete(workerId);
    if (latest !== undefined) this.#retired = mergeMetricFamilies([this.#retired, cumulativeFamilies(latest)]);
  }

  /** The expositions to merge: the last report of each live worker, then the retired totals. */
  expositions(workerIds: readonly number[]): MetricFamily[][] {
    const live = workerIds.map((id) => this.#latest.get(id)).filter((families) => families !== undefined);
    return [...live, this.#retired];
  }
}
