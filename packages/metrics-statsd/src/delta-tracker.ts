import type { Attributes } from '@opentelemetry/api';

/**
 * Turns cumulative totals into the change since the previous export, per series: StatsD counters
 * are increments, and a cumulative source (a Prometheus pull reader) reports totals.
 */
export class DeltaTracker {
  readonly #last = new Map<string, number>();

  delta(name: string, attributes: Attributes, total: number): number {
    const key = seriesKey(name, attributes);
    const last = this.#last.get(key);
    this.#last.set(key, total);
    // First sight: everything counted so far is new. A smaller total means the source restarted.
    if (last === undefined || total < last) return total;
    return total - last;
  }
}

function seriesKey(name: string, attributes: Attributes): string {
  const entries = Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${name}\u0000${JSON.stringify(entries)}`;
}
