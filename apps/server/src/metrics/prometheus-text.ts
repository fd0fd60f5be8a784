import type { Attributes } from '@opentelemetry/api';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/**
 * Renders collected metrics in the Prometheus text exposition format (version 0.0.4), keeping
 * every metric name exactly as the instrument was named. Existing dashboards query the reference
 * server's names (`kafka_err`, `reliable_ack`, `num_connections`, ...); the stock OpenTelemetry
 * exporter would append `_total` to counters and unit suffixes, so it cannot be used.
 */
export function serializePrometheusText(resourceMetrics: ResourceMetrics): string {
  const families = new Map<string, Family>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const name = sanitizeName(metric.descriptor.name);
      const type = prometheusType(metric);
      if (type === undefined) continue;
      let family = families.get(name);
      if (family === undefined) {
        family = { name, help: metric.descriptor.description, type, samples: [] };
        families.set(name, family);
      }
      // Two libraries registering one name with different kinds cannot share a family: the first wins.
      if (family.type !== type) continue;
      family.samples.push(...samplesOf(name, metric));
    }
  }
  let text = '';
  for (const family of families.values()) {
    if (family.help !== '') text += `# HELP ${family.name} ${escapeHelp(family.help)}\n`;
    text += `# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) text += `${sample}\n`;
  }
  return text;
}

/** The content type Prometheus expects for this format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly samples: string[];
}

function prometheusType(metric: MetricData): Family['type'] | undefined {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      // Exponential histograms have no text-format equivalent; none of our instruments use them.
      return undefined;
  }
}

function samplesOf(name: string, metric: MetricData): string[] {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
    case DataPointType.GAUGE:
      return metric.dataPoints.map((point) => `${name}${labels(point.attributes)} ${formatValue(point.value)}`);
    case DataPointType.HISTOGRAM:
      return metric.dataPoints.flatMap((point) => {
        const { boundaries, counts } = point.value.buckets;
        const lines: string[] = [];
        let cumulative = 0;
        boundaries.forEach((boundary, index) => {
          cumulative += counts[index] ?? 0;
          lines.push(`${name}_bucket${labels(point.attributes, ['le', formatValue(boundary)])} ${cumulative}`);
        });
        lines.push(`${name}_bucket${labels(point.attributes, ['le', '+Inf'])} ${point.value.count}`);
        lines.push(`${name}_sum${labels(point.attributes)} ${formatValue(point.value.sum ?? 0)}`);
        lines.push(`${name}_count${labels(point.attributes)} ${point.value.count}`);
        return lines;
      });
    default:
      return [];
  }
}

function labels(attributes: Attributes, extra?: readonly [string, string]): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    pairs.push(`${sanitizeLabelName(key)}="${escapeLabelValue(text)}"`);
  }
  if (extra !== undefined) pairs.push(`${extra[0]}="${extra[1]}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}

/** Metric names may hold `[a-zA-Z0-9_:]` and must not start with a digit. */
function sanitizeName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** Label names may hold `[a-zA-Z0-9_]` and must not start with a digit. */
function sanitizeLabelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
