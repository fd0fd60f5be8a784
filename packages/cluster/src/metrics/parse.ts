import { METRIC_TYPES, type MetricFamily, type MetricSample, type MetricType } from './exposition.js';

/** The text is not a Prometheus text exposition (format 0.0.4); `line` is 1-based. */
export class PrometheusTextError extends Error {
  override readonly name = 'PrometheusTextError';

  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

interface FamilyDraft {
  name: string;
  help: string;
  type: MetricType;
  typed: boolean;
  samples: MetricSample[];
}

/** Suffixes a histogram's or summary's samples add to the family name. */
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/**
 * Reads a Prometheus text exposition (version 0.0.4) into metric families, in the order they
 * appear. Sample timestamps are dropped: a merged exposition has no single time to give them.
 */
export function parsePrometheusText(text: string): MetricFamily[] {
  const families = new Map<string, FamilyDraft>();
  const family = (name: string): FamilyDraft => {
    let draft = families.get(name);
    if (draft === undefined) {
      draft = { name, help: '', type: 'untyped', typed: false, samples: [] };
      families.set(name, draft);
    }
    return draft;
  };

  text.split('\n').forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const comment = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      // Other comments carry nothing to merge.
      if (comment === null) return;
      const [, keyword, name = '', rest = ''] = comment;
      const draft = family(name);
      if (keyword === 'HELP') {
        draft.help = unescapeHelp(rest);
        return;
      }
      const type = rest.trim() as MetricType;
      if (!METRIC_TYPES.includes(type)) throw new PrometheusTextError(`unknown metric type "${rest}" for ${name}`, lineNumber);
      if (draft.samples.length > 0) throw new PrometheusTextError(`# TYPE for ${name} after its samples`, lineNumber);
      draft.type = type;
      draft.typed = true;
      return;
    }
    const sample = parseSample(line, lineNumber);
    familyOf(sample.name, families, family).samples.push(sample);
  });

  return [...families.values()].map(({ name, help, type, samples }) => ({ name, help, type, samples }));
}

function familyOf(
  sampleName: string,
  families: ReadonlyMap<string, FamilyDraft>,
  family: (name: string) => FamilyDraft,
): FamilyDraft {
  const exact = families.get(sampleName);
  if (exact !== undefined) return exact;
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!sampleName.endsWith(suffix)) continue;
      const base = families.get(sampleName.slice(0, -suffix.length));
      if (base?.type === type) return base;
    }
  }
  return family(sampleName);
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseSample(line: string, lineNumber: number): MetricSample {
  const fail = (message: string): never => {
    throw new PrometheusTextError(message, lineNumber);
  };
  const name = METRIC_NAME.exec(line)?.[0] ?? fail(`expected a metric name: ${line}`);
  let rest = line.slice(name.length).trimStart();
  const labels: [string, string][] = [];
  if (rest.startsWith('{')) {
    rest = rest.slice(1).trimStart();
    while (!rest.startsWith('}')) {
      const labelName = LABEL_NAME.exec(rest)?.[0] ?? fail(`expected a label name in ${name}: ${line}`);
      rest = rest.slice(labelName.length).trimStart();
      if (!rest.startsWith('="')) fail(`expected ="..." after label ${labelName}: ${line}`);
      const [value, length] = readQuoted(rest.slice(1)) ?? fail(`unterminated value of label ${labelName}: ${line}`);
      labels.push([labelName, value]);
      rest = rest.slice(1 + length).trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith('}')) fail(`expected , or } after label ${labelName}: ${line}`);
    }
    rest = rest.slice(1);
  }
  const [valueText = '', timestamp, extra] = rest.trim().split(/\s+/);
  if (extra !== undefined || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) fail(`unexpected text after the value: ${line}`);
  const value = parseValue(valueText) ?? fail(`"${valueText}" is not a sample value: ${line}`);
  return { name, labels, value };
}

/** Reads `"..."` at the start of `text`: the unescaped value and the length of the quoted text. */
function readQuoted(text: string): [string, number] | undefined {
  let value = '';
  for (let index = 1; index < text.length; index++) {
    const char = text[index];
    if (char === '"') return [value, index + 1];
    if (char === '\\') {
      const next = text[++index];
      if (next === undefined) return undefined;
      value += next === 'n' ? '\n' : next;
    } else {
      value += char;
    }
  }
  return undefined;
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(.)/g, (_match, char: string) => (char === 'n' ? '\n' : char));
}
