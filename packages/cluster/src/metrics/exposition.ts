/**
 * One metric family of a Prometheus text exposition: its `# HELP` and `# TYPE` lines and its
 * samples. A histogram's samples are its `_bucket`, `_sum` and `_count` lines.
 */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly MetricSample[];
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface MetricSample {
  /** The sample's own name: the family name, or it with `_bucket`, `_sum`, `_count`. */
  readonly name: string;
  /** Label pairs in the order they were written. */
  readonly labels: readonly (readonly [string, string])[];
  readonly value: number;
}

export const METRIC_TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
