import { availableParallelism, cpus, loadavg } from 'node:os';

/** The 1, 5 and 15 minute load averages, e.g. `2.3 / 1.7 / 2.5`: numbers from a busy machine are not comparable. */
export function formatLoadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');
}

/** CPUs, their model and the Node version, for a benchmark report's header. */
export function describeMachine(): string {
  return `${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}`;
}
