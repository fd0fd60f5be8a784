import { parsePrometheusText } from '@fleet-telemetry/cluster';

/**
 * Reads the server's Prometheus endpoint and sums every sample of each metric over its label
 * sets (`kinesis_publish_total{record_type="V"} 12` → `kinesis_publish_total: 12`).
 */
export async function scrapeCounters(url: string): Promise<Record<string, number>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return sumSamples(await response.text());
}

export function sumSamples(text: string): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const family of parsePrometheusText(text)) {
    for (const sample of family.samples) {
      if (Number.isFinite(sample.value)) totals[sample.name] = (totals[sample.name] ?? 0) + sample.value;
    }
  }
  return totals;
}
