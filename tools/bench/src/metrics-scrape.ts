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
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{.*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name = '', value = ''] = match;
    const number = Number(value);
    if (Number.isFinite(number)) totals[name] = (totals[name] ?? 0) + number;
  }
  return totals;
}
