import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type InstrumentKind = 'counter' | 'up-down-counter' | 'histogram' | 'gauge';

const instrumentKinds: Record<string, InstrumentKind> = {
  Counter: 'counter',
  ObservableCounter: 'counter',
  UpDownCounter: 'up-down-counter',
  ObservableUpDownCounter: 'up-down-counter',
  Histogram: 'histogram',
  Gauge: 'gauge',
  ObservableGauge: 'gauge',
};

const instrumentCall = /\.create(Counter|ObservableCounter|UpDownCounter|ObservableUpDownCounter|Histogram|Gauge|ObservableGauge)\(\s*(['"`])([A-Za-z_:][A-Za-z0-9_:]*)\2/g;
/** sink-api's `summedCounter(meter, 'name', { ..., upDown: true })`: a counter, or an up-down one. */
const summedCounterCall = /\bsummedCounter(?:<[^>]*>)?\(\s*[\w.]+\s*,\s*(['"`])([A-Za-z_:][A-Za-z0-9_:]*)\1\s*(?:,\s*\{([^}]*)\})?/g;

/**
 * The OpenTelemetry instruments created with a literal name in the TypeScript sources under
 * `directories` (each searched recursively, `node_modules`, `dist` and `test` skipped): the
 * metric names /metrics can serve, by kind.
 */
export function metricNamesInSources(directories: readonly string[]): Map<string, InstrumentKind> {
  const names = new Map<string, InstrumentKind>();
  for (const file of directories.flatMap((directory) => typeScriptFiles(directory))) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(instrumentCall)) {
      names.set(match[3]!, instrumentKinds[match[1]!]!);
    }
    for (const match of source.matchAll(summedCounterCall)) {
      names.set(match[2]!, /\bupDown:\s*true\b/.test(match[3] ?? '') ? 'up-down-counter' : 'counter');
    }
  }
  return names;
}

function typeScriptFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!['node_modules', 'dist', 'test', 'gen'].includes(entry.name)) files.push(...typeScriptFiles(join(directory, entry.name)));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts')) {
      files.push(join(directory, entry.name));
    }
  }
  return files;
}

/** The series names Prometheus gets for an instrument: histograms add _bucket, _sum and _count. */
export function seriesNames(metrics: ReadonlyMap<string, InstrumentKind>): Set<string> {
  const series = new Set<string>();
  for (const [name, kind] of metrics) {
    series.add(name);
    if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) series.add(name + suffix);
  }
  return series;
}

const promqlWords = new Set([
  // aggregation operators and their modifiers
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2',
  'inf', 'nan',
]);

/**
 * The metric names a PromQL expression reads. Label matchers, grouping label lists, range and
 * offset durations, strings and Grafana variables ($__rate_interval, ...) are dropped first; what
 * remains that is not a function call or a PromQL keyword is a metric name.
 */
export function metricNamesInPromQL(expression: string): string[] {
  const stripped = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\()?)/g)) {
    const word = match[0];
    const isCall = match[1] !== undefined;
    if (isCall || promqlWords.has(word.toLowerCase()) || /^\d/.test(word)) continue;
    // Numbers with exponents (1e3) and durations were removed; a word glued to digits before it is a number.
    const before = stripped[match.index - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue;
    names.add(word);
  }
  return [...names];
}
