import type { MetricFamily } from './exposition.js';

/** The content type of the text exposition format `renderPrometheusText` writes. */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Writes metric families as a Prometheus text exposition (version 0.0.4). */
export function renderPrometheusText(families: readonly MetricFamily[]): string {
  let text = '';
  for (const family of families) {
    if (family.help !== '') text += `# HELP ${family.name} ${escapeHelp(family.help)}\n`;
    text += `# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      const labels = sample.labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
      text += `${sample.name}${labels === '' ? '' : `{${labels}}`} ${formatValue(sample.value)}\n`;
    }
  }
  return text;
}

function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
