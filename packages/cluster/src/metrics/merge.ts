import type { MetricFamily, MetricSample, MetricType } from './exposition.js';
import { parsePrometheusText } from './parse.js';
import { renderPrometheusText } from './render.js';

/** How the values of one gauge from several processes combine into one. */
export type GaugeMergeRule = 'sum' | 'max' | 'min';

export interface MergeOptions {
  /**
   * Gauge (and untyped metric) name → rule. Unlisted gauges are summed: most gauges count
   * something each process holds (connections, queued records). A gauge that describes the
   * server as a whole rather than a share of it, like an uptime, wants `max`.
   */
  readonly gauges?: Readonly<Record<string, GaugeMergeRule>>;
}

interface FamilyAccumulator {
  readonly name: string;
  help: string;
  readonly type: MetricType;
  readonly samples: Map<string, { name: string; labels: MetricSample['labels']; value: number }>;
}

/**
 * Merges the expositions of several processes of one server into the exposition of the whole,
 * sample by sample (same sample name and same labels, in any order):
 *
 * - counters: summed;
 * - histograms: every `_bucket` (cumulative count per `le`), `_sum` and `_count` summed, which is
 *   exact when the processes share bucket boundaries (they run the same code);
 * - summaries: `_sum` and `_count` summed; quantiles cannot be combined and are left out;
 * - gauges and untyped metrics: by `options.gauges` (default: summed).
 *
 * Families keep the order in which they first appear, with the first non-empty help text. A family
 * whose type differs from the one first seen under its name is left out (it cannot be combined).
 */
export function mergeMetricFamilies(expositions: readonly (readonly MetricFamily[])[], options: MergeOptions = {}): MetricFamily[] {
  const merged = new Map<string, FamilyAccumulator>();
  for (const families of expositions) {
    for (const family of families) {
      let target = merged.get(family.name);
      if (target === undefined) {
        target = { name: family.name, help: family.help, type: family.type, samples: new Map() };
        merged.set(family.name, target);
      }
      if (target.type !== family.type) continue;
      if (target.help === '') target.help = family.help;
      const rule = ruleFor(family, options);
      for (const sample of family.samples) {
        if (family.type === 'summary' && sample.name === family.name) continue;
        const key = sampleKey(sample);
        const existing = target.samples.get(key);
        if (existing === undefined) target.samples.set(key, { ...sample });
        else existing.value = combine(rule, existing.value, sample.value);
      }
    }
  }
  return [...merged.values()].map(({ name, help, type, samples }) => ({ name, help, type, samples: [...samples.values()] }));
}

/**
 * The families whose values only grow (counters, histograms, a summary's `_sum` and `_count`):
 * what a process that ended keeps contributing to a merged exposition, so merged counters never
 * go down when a process is replaced.
 */
export function cumulativeFamilies(families: readonly MetricFamily[]): MetricFamily[] {
  return families
    .filter((family) => family.type === 'counter' || family.type === 'histogram' || family.type === 'summary')
    .map((family) =>
      family.type === 'summary' ? { ...family, samples: family.samples.filter((sample) => sample.name !== family.name) } : family,
    );
}

function ruleFor(family: MetricFamily, options: MergeOptions): GaugeMergeRule {
  if (family.type === 'gauge' || family.type === 'untyped') return options.gauges?.[family.name] ?? 'sum';
  return 'sum';
}

function combine(rule: GaugeMergeRule, a: number, b: number): number {
  switch (rule) {
    case 'sum':
      return a + b;
    case 'max':
      return Math.max(a, b);
    case 'min':
      return Math.min(a, b);
  }
}

/** The sample name and its labels sorted by name: label order differs between processes. */
function sampleKey(sample: MetricSample): string {
  const labels = [...sample.labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([sample.name, labels]);
}

/** `mergeMetricFamilies` over Prometheus text expositions, rendered back to text. */
export function mergePrometheusText(texts: readonly string[], options: MergeOptions = {}): string {
  return renderPrometheusText(mergeMetricFamilies(texts.map(parsePrometheusText), options));
}
