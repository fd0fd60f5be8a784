import { formatRate, formatTable, median } from '../stats.js';
import { unsaturatedShare, type BenchResult } from './benchmark.js';
import { targetNames } from './phases/environment.js';
import type { LoadPhaseResult } from './phases/load-phase.js';
import type { TargetKind } from './target/protocol.js';

/** What the product asks of the server (see BENCHMARKS.md). */
export interface Targets {
  /** Our records/s over the echo ceiling's, measured in the same run. */
  readonly minEchoRatio: number;
  /** Ack latency p99 at half our max load, ms. */
  readonly maxP99Ms: number;
  /** Server RSS per idle connection. */
  readonly maxBytesPerIdleConnection: number;
}

export const productTargets: Targets = { minEchoRatio: 0.7, maxP99Ms: 20, maxBytesPerIdleConnection: 16 * 1024 };

export interface Check {
  readonly name: string;
  readonly value: number;
  readonly target: string;
  readonly met: boolean;
}

export interface PerServer {
  readonly ours: number;
  readonly echo: number;
}

/** Medians over the runs; ratios are taken within each run first. */
export interface Headline {
  readonly runs: number;
  /** From the max-load and half-load phases, when the runs had them. */
  readonly load?: {
    readonly acked: PerServer;
    readonly ratio: number;
    readonly cpuUsPerRecord: PerServer;
    /** Echo's CPU per record over ours: the capacity ratio with a full core each, whatever the simulator can drive. */
    readonly cpuRatio: number;
    readonly halfLoadPerSecond: number;
    readonly p50: PerServer;
    readonly p99: PerServer;
  };
  /** From the idle-connection phases, when the runs had them. */
  readonly memory?: {
    readonly rssPerConnection: PerServer;
    readonly heapPerConnection: PerServer;
  };
  readonly checks: readonly Check[];
  /** Every problem any phase reported, prefixed with where it happened. */
  readonly problems: readonly string[];
}

type Run = BenchResult['runs'][number];
type Phases<T> = Readonly<Record<TargetKind, T>>;

function perServer<T>(phases: readonly Phases<T>[], pick: (phase: T) => number): PerServer {
  return { ours: median(phases.map((both) => pick(both.telemetry))), echo: median(phases.map((both) => pick(both.echo))) };
}

export function headline(result: BenchResult, targets: Targets = productTargets): Headline {
  const { runs } = result;
  if (runs.length === 0) throw new Error('no runs to summarise');
  const loadRuns = runs.filter((run): run is Run & Required<Pick<Run, 'max' | 'half'>> => run.max !== undefined && run.half !== undefined);
  const memories = runs.flatMap((run) => (run.memory ? [run.memory] : []));
  const checks: Check[] = [];
  let load: Headline['load'];
  if (loadRuns.length > 0) {
    const maxes = loadRuns.map((run) => run.max);
    const halves = loadRuns.map((run) => run.half);
    const ratio = median(maxes.map((max) => max.telemetry.ackedPerSecond / max.echo.ackedPerSecond));
    load = {
      acked: perServer(maxes, (phase) => phase.ackedPerSecond),
      ratio,
      cpuUsPerRecord: perServer(maxes, (phase) => phase.serverCpuUsPerRecord),
      cpuRatio: median(maxes.map((max) => max.echo.serverCpuUsPerRecord / max.telemetry.serverCpuUsPerRecord)),
      halfLoadPerSecond: median(halves.map((half) => half.telemetry.offeredPerSecond)),
      p50: perServer(halves, (phase) => phase.latency.p50),
      p99: perServer(halves, (phase) => phase.latency.p99),
    };
    checks.push(
      { name: 'records/s acked, ours / echo', value: ratio, target: `≥ ${targets.minEchoRatio}`, met: ratio >= targets.minEchoRatio },
      { name: 'ack latency p99 at half load, ms', value: load.p99.ours, target: `< ${targets.maxP99Ms}`, met: load.p99.ours < targets.maxP99Ms },
    );
  }
  let memory: Headline['memory'];
  if (memories.length > 0) {
    memory = {
      rssPerConnection: perServer(memories, (phase) => phase.rssBytesPerConnection),
      heapPerConnection: perServer(memories, (phase) => phase.heapAndExternalBytesPerConnection),
    };
    const kib = memory.rssPerConnection.ours / 1024;
    const maxKib = targets.maxBytesPerIdleConnection / 1024;
    checks.push({ name: 'RSS per idle connection, KiB', value: kib, target: `< ${maxKib}`, met: kib < maxKib });
  }
  return { runs: runs.length, load, memory, checks, problems: problemsOf(result) };
}

function problemsOf(result: BenchResult): string[] {
  const located = (where: string, problems: readonly string[]) => problems.map((problem) => `${where}: ${problem}`);
  const ofServers = (run: number, phaseName: string, phases: Phases<{ readonly kind: TargetKind; readonly problems: readonly string[] }> | undefined) =>
    Object.values(phases ?? {}).flatMap((phase) => located(`run ${run} ${targetNames[phase.kind]} ${phaseName}`, phase.problems));
  return [
    ...result.calibration.flatMap((phase) => located(`${targetNames[phase.kind]} calibration`, phase.problems)),
    ...result.runs.flatMap((run) => [
      ...ofServers(run.run, 'max', run.max),
      ...ofServers(run.run, 'half', run.half),
      ...ofServers(run.run, 'idle', run.memory),
    ]),
    ...result.profiles.filter((profile) => profile.process !== 'simulator').flatMap((profile) => located(`${targetNames[profile.kind]} profiled`, profile.phase.problems)),
  ];
}

const fixed = (digits: number) => (value: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const kib = (bytes: number): string => (bytes / 1024).toFixed(1);
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
const percent = (share: number): string => `${Math.round(share * 100)}%`;

/** The headline table: medians, ratios and the product targets. */
export function formatHeadline(summary: Headline): string {
  const { load, memory } = summary;
  const rows: string[][] = [];
  if (load) {
    rows.push(
      ['records/s acked at max load', formatRate(load.acked.ours), formatRate(load.acked.echo), fixed(2)(load.ratio)],
      [
        'server CPU per record, µs',
        fixed(1)(load.cpuUsPerRecord.ours),
        fixed(1)(load.cpuUsPerRecord.echo),
        fixed(2)(load.cpuUsPerRecord.ours / load.cpuUsPerRecord.echo),
      ],
      ['ack latency p50 at half load, ms', fixed(2)(load.p50.ours), fixed(2)(load.p50.echo), ''],
      ['ack latency p99 at half load, ms', fixed(2)(load.p99.ours), fixed(2)(load.p99.echo), ''],
    );
  }
  if (memory) {
    rows.push(
      ['RSS per idle connection, KiB', kib(memory.rssPerConnection.ours), kib(memory.rssPerConnection.echo), ''],
      ['heap+external per idle connection, KiB', kib(memory.heapPerConnection.ours), kib(memory.heapPerConnection.echo), ''],
    );
  }
  const table = formatTable([`median of ${summary.runs} runs`, 'ours', 'echo', 'ours/echo'], rows);
  const checks = formatTable(
    ['target', 'measured', 'wanted', 'met'],
    summary.checks.map((check) => [check.name, fixed(2)(check.value), check.target, check.met ? 'yes' : 'NO']),
  );
  const notes = load
    ? [
        `half load: ${formatRate(load.halfLoadPerSecond)} records/s offered (half of ours at max load, per run), to both servers`,
        `capacity ratio by CPU cost (echo µs per record / ours): ${fixed(2)(load.cpuRatio)}; ` +
          'what the records/s ratio would be if the simulator could saturate both servers',
      ]
    : [];
  return [table, '', checks, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

/** Every load phase, one row each. */
export function formatLoadPhases(result: BenchResult): string {
  const phases: { run: string; phase: LoadPhaseResult }[] = [
    ...result.calibration.map((phase) => ({ run: 'cal', phase })),
    ...result.runs.flatMap((run) =>
      [run.max?.echo, run.max?.telemetry, run.half?.echo, run.half?.telemetry]
        .filter((phase) => phase !== undefined)
        .map((phase) => ({ run: String(run.run), phase })),
    ),
    // A profiled phase has two profiles (server and simulator) but is one row.
    ...result.profiles.filter((profile) => profile.process !== 'simulator').map((profile) => ({ run: 'prof', phase: profile.phase })),
  ];
  if (phases.length === 0) return '';
  const legend = [
    'wait: share of the window each process was runnable but another process had its core (/proc/self/schedstat);',
    'stall: longest event-loop delay, ms; gc: longest GC pause, ms; server (srv) and simulator (sim), over the window',
  ];
  const table = formatTable(
    ['run', 'server', 'phase', 'offered/s', 'sent/s', 'acked/s', 'server cpu', 'sim cpu', 'srv wait', 'sim wait', 'srv stall', 'sim stall', 'srv gc', 'sim gc', 'µs/rec', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'load', 'note'],
    phases.map(({ run, phase }) => [
      run,
      targetNames[phase.kind],
      phase.purpose,
      formatRate(phase.offeredPerSecond),
      formatRate(phase.sentPerSecond),
      formatRate(phase.ackedPerSecond),
      percent(phase.serverCpuShare),
      percent(phase.loadCpuShare),
      Number.isFinite(phase.serverWaitShare) ? percent(phase.serverWaitShare) : '-',
      Number.isFinite(phase.loadWaitShare) ? percent(phase.loadWaitShare) : '-',
      fixed(0)(phase.serverStalls.loopDelayMaxMs),
      fixed(0)(phase.loadStalls.loopDelayMaxMs),
      fixed(0)(phase.serverStalls.gcMaxPauseMs),
      fixed(0)(phase.loadStalls.gcMaxPauseMs),
      fixed(1)(phase.serverCpuUsPerRecord),
      fixed(2)(phase.latency.p50),
      fixed(2)(phase.latency.p99),
      fixed(2)(phase.latency.p999),
      fixed(1)(phase.latency.max),
      fixed(1)(phase.loadAverage),
      phaseNote(phase),
    ]),
  );
  return [table, '', ...legend].join('\n');
}

/** Why a phase's number may not mean what its column says. */
export function phaseNote(phase: LoadPhaseResult): string {
  const notes: string[] = [];
  if (phase.purpose === 'max' && phase.ackedPerSecond >= unsaturatedShare * phase.offeredPerSecond) notes.push('not saturated');
  if (phase.purpose !== 'half' && phase.loadCpuShare >= 0.9 && phase.serverCpuShare < 0.9) notes.push('simulator-bound');
  if (phase.problems.length > 0) notes.push('PROBLEMS');
  return notes.join(', ');
}

/** Every memory phase, one row each. */
export function formatMemoryPhases(result: BenchResult): string {
  const rows = result.runs.flatMap((run) =>
    Object.values(run.memory ?? {}).map((phase) => [
      String(run.run),
      targetNames[phase.kind],
      formatRate(phase.connections),
      mib(phase.before.rssBytes),
      mib(phase.after.rssBytes),
      kib(phase.rssBytesPerConnection),
      kib(phase.heapAndExternalBytesPerConnection),
      fixed(0)(phase.rampMs / 1000),
      phase.problems.length > 0 ? 'PROBLEMS' : '',
    ]),
  );
  if (rows.length === 0) return '';
  return formatTable(
    ['run', 'server', 'sockets', 'RSS before MiB', 'RSS after MiB', 'RSS/socket KiB', 'heap+ext/socket KiB', 'ramp s', 'note'],
    rows,
  );
}
