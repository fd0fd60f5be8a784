import { ratePerSecond, summarize, type Summary } from './stats.js';

export interface MeasureOptions {
  /** Timed runs; the result is their median. */
  runs: number;
  /** Minimum length of each run, in milliseconds. */
  runMs: number;
  /** Untimed running first, so the JIT has compiled the code being measured. */
  warmupMs: number;
  /** Called after each run, to show progress. */
  onRun?: (run: number, wallRate: number) => void;
}

export interface Measurement {
  /** Operations per wall-clock second. */
  wall: Summary;
  /** Operations per second of this process's CPU time: steadier on a busy machine. */
  cpu: Summary;
  /** Sum of what the operation returned, so that its work cannot be optimized away. */
  checksum: number;
}

/**
 * Calls `operation` in batches until each run has lasted `runMs`, `runs` times. `operation`
 * returns a number (say, a length) that is summed into `checksum`.
 */
export function measure(operation: () => number, options: MeasureOptions): Measurement {
  let sink = 0;
  const batch = (count: number) => {
    for (let index = 0; index < count; index++) sink += operation();
  };
  const batchSize = calibrate(batch, options.warmupMs);
  const wallRates: number[] = [];
  const cpuRates: number[] = [];
  for (let run = 1; run <= options.runs; run++) {
    let operations = 0;
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(options.runMs) * 1_000_000n;
    let now = start;
    while (now < deadline) {
      batch(batchSize);
      operations += batchSize;
      now = process.hrtime.bigint();
    }
    const cpu = process.cpuUsage(cpuStart);
    wallRates.push(ratePerSecond(operations, Number(now - start)));
    cpuRates.push(ratePerSecond(operations, (cpu.user + cpu.system) * 1000));
    options.onRun?.(run, wallRates.at(-1)!);
  }
  return { wall: summarize(wallRates), cpu: summarize(cpuRates), checksum: sink };
}

/** Warms up and returns a batch size that takes about 10 ms, so clock reads cost nothing. */
function calibrate(batch: (count: number) => void, warmupMs: number): number {
  let size = 1;
  let msPerOperation = Infinity;
  const end = performance.now() + warmupMs;
  do {
    const start = performance.now();
    batch(size);
    const elapsed = performance.now() - start;
    if (elapsed > 0) msPerOperation = elapsed / size;
    if (elapsed < 10) size *= 2;
  } while (performance.now() < end);
  return Math.max(1, Math.round(10 / msPerOperation));
}
