import { formatRate, formatTable, median } from '../stats.js';
import type { PhaseResult } from './phase.js';

export interface CountSummary {
  readonly workers: number;
  readonly runs: number;
  /** Medians over the runs. */
  readonly offeredPerSecond: number;
  /** What the simulator managed to send: below the offer when it, not the server, was short of CPU. */
  readonly sentPerSecond: number;
  readonly ackedPerSecond: number;
  readonly minAckedPerSecond: number;
  readonly maxAckedPerSecond: number;
  readonly p99Ms: number;
  /** Cores of every server process together (primary and workers). */
  readonly serverCores: number;
  readonly simulatorCores: number;
  /** Median cores per process name (`primary`, `worker 1`, ..., or `server`). */
  readonly processCores: Readonly<Record<string, number>>;
  /** acked/s over the reference count's acked/s in the same run, for each run; then the median. */
  readonly ratios: readonly number[];
  readonly ratio: number | undefined;
}

/** Medians per worker count, and each count's throughput against the first count's, run by run. */
export function summarizeWorkersBench(results: readonly PhaseResult[], counts: readonly number[]): CountSummary[] {
  const reference = counts[0];
  return counts.map((workers) => {
    const own = results.filter((result) => result.workers === workers);
    if (own.length === 0) throw new Error(`no measurement with ${workers} workers`);
    const acked = own.map((result) => result.ackedPerSecond);
    const processNames = [...new Set(own.flatMap((result) => Object.keys(result.cores)))].filter((name) => name !== 'simulator');
    const ratios =
      workers === reference
        ? []
        : own.flatMap((result) => {
            const base = results.find((candidate) => candidate.run === result.run && candidate.workers === reference);
            return base === undefined || base.ackedPerSecond === 0 ? [] : [result.ackedPerSecond / base.ackedPerSecond];
          });
    return {
      workers,
      runs: own.length,
      offeredPerSecond: median(own.map((result) => result.offeredPerSecond)),
      sentPerSecond: median(own.map((result) => result.sentPerSecond)),
      ackedPerSecond: median(acked),
      minAckedPerSecond: Math.min(...acked),
      maxAckedPerSecond: Math.max(...acked),
      p99Ms: median(own.map((result) => result.p99Ms)),
      serverCores: median(own.map((result) => serverCores(result))),
      simulatorCores: median(own.map((result) => result.cores.simulator ?? 0)),
      processCores: Object.fromEntries(processNames.map((name) => [name, median(own.map((result) => result.cores[name] ?? 0))])),
      ratios,
      ratio: ratios.length === 0 ? undefined : median(ratios),
    };
  });
}

export function serverCores(result: PhaseResult): number {
  return Object.entries(result.cores)
    .filter(([name]) => name !== 'simulator')
    .reduce((total, [, cores]) => total + cores, 0);
}

/** The summary table, then the per-process CPU, then the ratios run by run. */
export function formatWorkersReport(summaries: readonly CountSummary[]): string {
  const reference = summaries[0]?.workers;
  const table = formatTable(
    ['workers', 'offered/s', 'sent/s', 'acked records/s', 'min', 'max', 'p99 ack ms', 'server cores', 'simulator cores', `vs ${reference}`],
    summaries.map((summary) => [
      String(summary.workers),
      formatRate(summary.offeredPerSecond),
      formatRate(summary.sentPerSecond),
      formatRate(summary.ackedPerSecond),
      formatRate(summary.minAckedPerSecond),
      formatRate(summary.maxAckedPerSecond),
      summary.p99Ms.toFixed(1),
      summary.serverCores.toFixed(2),
      summary.simulatorCores.toFixed(2),
      summary.ratio === undefined ? '' : `${summary.ratio.toFixed(2)}x`,
    ]),
  );
  const perProcess = summaries.map(
    (summary) =>
      `cores per process, ${summary.workers} worker${summary.workers === 1 ? '' : 's'}: ` +
      Object.entries(summary.processCores)
        .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
        .join(', '),
  );
  const ratios = summaries
    .filter((summary) => summary.ratios.length > 0)
    .map((summary) => `${summary.workers} vs ${reference} workers, run by run: ${summary.ratios.map((ratio) => `${ratio.toFixed(2)}x`).join(', ')}`);
  return [table, '', ...perProcess, ...ratios].join('\n');
}
