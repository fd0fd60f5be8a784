import type { Attributes } from '@opentelemetry/api';

/**
 * How metric attributes (Prometheus labels) reach StatsD:
 * - `influxdb`: Telegraf/InfluxDB tags in the name, `record_total,record_type=V:3|c` (the reference
 *   server's format);
 * - `datadog`: DogStatsD tags after the value, `record_total:3|c|#record_type:V`;
 * - `none`: no tags; each label is folded into the name, `record_total.record_type.V:3|c`, for plain
 *   StatsD servers that would otherwise merge every series of a metric.
 */
export type StatsdTagFormat = 'influxdb' | 'datadog' | 'none';

export const STATSD_TAG_FORMATS: readonly StatsdTagFormat[] = ['influxdb', 'datadog', 'none'];

/** A metric as StatsD sees it: its name and, unless folded into the name, its tags. */
export interface StatsdSeries {
  readonly name: string;
  readonly tags: Record<string, string> | undefined;
}

export function statsdSeries(name: string, attributes: Attributes, tagFormat: StatsdTagFormat): StatsdSeries {
  const entries = Object.entries(attributes).filter(([, value]) => value !== undefined && value !== null);
  if (entries.length === 0) return { name, tags: undefined };
  if (tagFormat !== 'none') {
    return { name, tags: Object.fromEntries(entries.map(([key, value]) => [key, String(value)])) };
  }
  const segments = entries.flatMap(([key, value]) => [key, String(value)].map(nameSegment));
  return { name: [name, ...segments].join('.'), tags: undefined };
}

/** A name segment may not contain the separators of the name or of the line. */
function nameSegment(text: string): string {
  return text.replace(/[.:|@#,=\s]/g, '_');
}
