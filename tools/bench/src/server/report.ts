import { formatRate, formatTable, median } from '../stats.js';
import { unsaturatedShare, type BenchResult } from './benchmark.js';
import { targetNames } from './phases/environment.js';
import type { LoadPhaseResult } from './phases/load-phase.js';

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

/** Medians over the runs; ratios are taken within each run first. */
export interface Headline {
  readonly runs: number;
  readonly acked: { readonly ours: number; readonly echo: number };
  readonly ratio: number;
  readonly cpuUsPerRecord: { readonly ours: number; readonly echo: number };
  /** Echo's CPU per record over ours: the capacity ratio with a full core each, whatever the simulator can drive. */
  readonly cpuRatio: number;
  readonly halfLoadPerSecond: number;
  readonly p50: { readonly ours: number; readonly echo: number };
  readonly p99: { readonly ours: number; readonly echo: number };
  readonly rssPerConnection?: { readonly ours: number; readonly echo: number } | undefined;
  readonly heapPerConnection?: { readonly ours: number; readonly echo: number } | undefined;
  readonly checks: readonly Check[];
  /** Every problem any phase reported, prefixed with where it happened. */
  readonly problems: readonly string[];
}

export function headline(result: BenchResult, targets: Targets = productTargets): Headline {
  const { runs } = result;
  if (runs.length === 0) throw new Error('no runs to summarise');
  const over = (pick: (run: BenchResult['runs'][number]) => number): number => median(runs.map(pick));
  const ratio = over((run) => run.max.telemetry.ackedPerSecond / run.max.echo.ackedPerSecond);
  const p99 = { ours: over((run) => run.half.telemetry.latency.p99), echo: over((run) => run.half.echo.latency.p99) };
  const withMemory = runs.flatMap((run) => (run.memory ? [run.memory] : []));
  const memoryMedian = (pick: (memory: (typeof withMemory)[number]) => number): number => median(withMemory.map(pick));
  const rssPerConnection =
    withMemory.length > 0
      ? { ours: memoryMedian((m) => m.telemetry.rssBytesPerConnection), echo: memoryMedian((m) => m.echo.rssBytesPerConnection) }
      : undefined;
  const heapPerConnection =
    withMemory.length > 0
      ? {
          ours: memoryMedian((m) => m.telemetry.heapAndExternalBytesPerConnection),
          echo: memoryMedian((m) => m.echo.heapAndExternalBytesPerConnection),
        }
      : undefined;
  const checks: Check[] = [
    { name: 'records/s acked, ours / echo', value: ratio, target: `≥ ${targets.minEchoRatio}`, met: ratio >= targets.minEchoRatio },
    { name: 'ack latency p99 at half load, ms', value: p99.ours, target: `< ${targets.maxP99Ms}`, met: p99.ours < targets.maxP99Ms },
  ];
  if (rssPerConnection) {
    const kib = rssPerConnection.ours / 1024;
    const maxKib = targets.maxBytesPerIdleConnection / 1024;
    checks.push({ name: 'RSS per idle connection, KiB', value: kib, target: `< ${maxKib}`, met: kib < maxKib });
  }
  const problems: string[] = [];
  const phases = [
    ...result.calibration.map((phase) => ({ where: `${targetNames[phase.kind]} calibration`, problems: phase.problems })),
    ...runs.flatMap((run) => [
      ...Object.values(run.max).map((phase) => ({ where: `run ${run.run} ${targetNames[phase.kind]} max`, problems: phase.problems })),
      ...Object.values(run.half).map((phase) => ({ where: `run ${run.run} ${targetNames[phase.kind]} half`, problems: phase.problems })),
      ...Object.values(run.memory ?? {}).map((phase) => ({ where: `run ${run.run} ${targetNames[phase.kind]} idle`, problems: phase.problems })),
    ]),
    ...result.profiles.map((profile) => ({ where: `${targetNames[profile.kind]} profiled`, problems: profile.phase.problems })),
  ];
  for (const phase of phases) for (const problem of phase.problems) problems.push(`${phase.where}: ${problem}`);
  return {
    runs: runs.length,
    acked: { ours: over((run) => run.max.telemetry.ackedPerSecond), echo: over((run) => run.max.echo.ackedPerSecond) },
    ratio,
    cpuUsPerRecord: {
      ours: over((run) => run.max.telemetry.serverCpuUsPerRecord),
      echo: over((run) => run.max.echo.serverCpuUsPerRecord),
    },
    cpuRatio: over((run) => run.max.echo.serverCpuUsPerRecord / run.max.telemetry.serverCpuUsPerRecord),
    halfLoadPerSecond: over((run) => run.half.telemetry.offeredPerSecond),
    p50: { ours: over((run) => run.half.telemetry.latency.p50), echo: over((run) => run.half.echo.latency.p50) },
    p99,
    rssPerConnection,
    heapPerConnection,
    checks,
    problems,
  };
}

const fixed = (digits: number) => (value: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const kib = (bytes: number): string => (bytes / 1024).toFixed(1);
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
const percent = (share: number): string => `${Math.round(share * 100)}%`;

/** The headline table: medians, ratios and the product targets. */
export function formatHeadline(summary: Headline): string {
  const rows: string[][] = [
    ['records/s acked at max load', formatRate(summary.acked.ours), formatRate(summary.acked.echo), fixed(2)(summary.ratio)],
    [
      'server CPU per record, µs',
      fixed(1)(summary.cpuUsPerRecord.ours),
      fixed(1)(summary.cpuUsPerRecord.echo),
      fixed(2)(summary.cpuUsPerRecord.ours / summary.cpuUsPerRecord.echo),
    ],
    ['ack latency p50 at half load, ms', fixed(2)(summary.p50.ours), fixed(2)(summary.p50.echo), ''],
    ['ack latency p99 at half load, ms', fixed(2)(summary.p99.ours), fixed(2)(summary.p99.echo), ''],
  ];
  if (summary.rssPerConnection) {
    rows.push(['RSS per idle connection, KiB', kib(summary.rssPerConnection.ours), kib(summary.rssPerConnection.echo), '']);
  }
  if (summary.heapPerConnection) {
    rows.push(['heap+external per idle connection, KiB', kib(summary.heapPerConnection.ours), kib(summary.heapPerConnection.echo), '']);
  }
  const table = formatTable(['median of ' + summary.runs + ' runs', 'ours', 'echo', 'ours/echo'], rows);
  const checks = formatTable(
    ['target', 'measured', 'wanted', 'met'],
    summary.checks.map((check) => [check.name, fixed(2)(check.value), check.target, check.met ? 'yes' : 'NO']),
  );
  const notes = [
    `half load: ${formatRate(summary.halfLoadPerSecond)} records/s offered (half of ours at max load, per run), to both servers`,
    `capacity ratio by CPU cost (echo µs per record / ours): ${fixed(2)(summary.cpuRatio)}; ` +
      'what the records/s ratio would be if the simulator could saturate both servers',
  ];
  return [table, '', checks, '', ...notes].join('\n');
}

/** Every load phase, one row each. */
export function formatLoadPhases(result: BenchResult): string {
  const phases: { run: string; phase: LoadPhaseResult }[] = [
    ...result.calibration.map((phase) => ({ run: 'cal', phase })),
    ...result.runs.flatMap((run) =>
      [run.max.echo, run.max.telemetry, run.half.echo, run.half.telemetry].map((phase) => ({ run: String(run.run), phase })),
    ),
    ...result.profiles.map((profile) => ({ run: 'prof', phase: profile.phase })),
  ];
  return formatTable(
    ['run', 'server', 'phase', 'offered/s', 'sent/s', 'acked/s', 'server cpu', 'sim cpu', 'µs/rec', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'load', 'note'],
    phases.map(({ run, phase }) => [
      run,
      targetNames[phase.kind],
      phase.purpose,
      formatRate(phase.offeredPerSecond),
      formatRate(phase.sentPerSecond),
      formatRate(phase.ackedPerSecond),
      percent(phase.serverCpuShare),
      percent(phase.loadCpuShare),
      fixed(1)(phase.serverCpuUsPerRecord),
      fixed(2)(phase.latency.p50),
      fixed(2)(phase.latency.p99),
      fixed(2)(phase.latency.p999),
      fixed(1)(phase.latency.max),
      fixed(1)(phase.loadAverage),
      phaseNote(phase),
    ]),
  );
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
