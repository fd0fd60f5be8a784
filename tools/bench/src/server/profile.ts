/** Where a server's CPU time went, from a V8 `.cpuprofile` (what `node --cpu-prof` and the inspector write). */

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    /** 0-based. */
    readonly lineNumber: number;
  };
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  /** The node each sample hit. */
  readonly samples: readonly number[];
  /** µs since the previous sample. */
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the busy (non-idle) time. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  /** Self time by function (`name file:line`), largest first. */
  readonly functions: readonly ProfileEntry[];
  /** Self time by package or Node module, largest first. */
  readonly areas: readonly ProfileEntry[];
}

/** Aggregates self time (the samples a function was on top of the stack) by function and by area. */
export function summarizeCpuProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  profile.samples.forEach((nodeId, index) => {
    const node = nodes.get(nodeId);
    const micros = profile.timeDeltas[index] ?? 0;
    if (node === undefined || micros <= 0) return;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += micros;
      return;
    }
    busyUs += micros;
    add(byFunction, functionLabel(node), micros);
    add(byArea, areaOf(node.callFrame.url, node.callFrame.functionName), micros);
  });
  const entries = (totals: Map<string, number>, limit: number): ProfileEntry[] =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, micros]) => ({ name, selfMs: micros / 1000, share: busyUs > 0 ? micros / busyUs : 0 }));
  return { busyMs: busyUs / 1000, idleMs: idleUs / 1000, functions: entries(byFunction, top), areas: entries(byArea, top) };
}

function add(totals: Map<string, number>, key: string, micros: number): void {
  totals.set(key, (totals.get(key) ?? 0) + micros);
}

function functionLabel(node: CpuProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  return `${name} ${shortUrl(url)}:${lineNumber + 1}`;
}

/** A file's path from its package on (`ws/lib/receiver.js`, `packages/codec/src/x.ts`); Node's modules as they are. */
function shortUrl(url: string): string {
  if (url.startsWith('node:')) return url;
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const workspace = /\/((?:packages|tools|apps)\/.*)$/.exec(path);
  return workspace?.[1] ?? path.split('/').slice(-2).join('/');
}

/**
 * The package (workspace or npm) or Node module a function belongs to. V8's own entries, such as
 * `(garbage collector)` and `(program)` (native work not attributed to a JS function), stand alone.
 */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/')[0] ?? url;
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = path.slice(modules + '/node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name ?? ''}` : (scope ?? path);
  }
  const workspace = /\/(packages|tools|apps)\/([^/]+)\//.exec(path);
  if (workspace) return `${workspace[1]}/${workspace[2]}`;
  return shortUrl(url);
}

/** The summary as two aligned lists, for a terminal or a Markdown code block. */
export function formatProfileSummary(title: string, summary: ProfileSummary, rows = 15): string {
  const line = (entry: ProfileEntry): string =>
    `  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(0).padStart(7)} ms  ${entry.name}`;
  const busyShare = summary.busyMs / (summary.busyMs + summary.idleMs || 1);
  return [
    `${title}: ${summary.busyMs.toFixed(0)} ms busy, ${(busyShare * 100).toFixed(0)}% of the profiled time`,
    'self time by area:',
    ...summary.areas.slice(0, rows).map(line),
    'self time by function:',
    ...summary.functions.slice(0, rows).map(line),
  ].join('\n');
}
