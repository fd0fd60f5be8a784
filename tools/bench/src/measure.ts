import { median, ratePerSecond, summarize, type Summary } from './stats.js';

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
  const subject = new Subject(operation, options.warmupMs);
  const wallRates: number[] = [];
  const cpuRates: number[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const rates = subject.run(options.runMs);
    wallRates.push(rates.wall);
    cpuRates.push(rates.cpu);
    options.onRun?.(run, rates.wall);
  }
  return { wall: summarize(wallRates), cpu: summarize(cpuRates), checksum: subject.checksum };
}

export interface RoundsOptions {
  /** Rounds; in each, every operation runs once for `runMs`. */
  rounds: number;
  runMs: number;
  warmupMs: number;
  /** Called after each round with every operation's wall-clock rate in it. */
  onRound?: (round: number, wallRates: ReadonlyMap<string, number>) => void;
}

export interface RoundsMeasurement extends Measurement {
  /** Operations per wall-clock second in each round, in round order. */
  wallByRound: readonly number[];
}

/**
 * Measures several operations in rounds, each round running every operation once, so that all of
 * them see the same machine: on a shared or throttled host the speed of a core can change by a
 * factor of two within minutes, and measuring one operation after the other would put that change
 * into their ratios. Compare operations round by round (`ratioByRound`).
 */
export function measureRounds(
  operations: ReadonlyMap<string, () => number>,
  options: RoundsOptions,
): Map<string, RoundsMeasurement> {
  const subjects = new Map([...operations].map(([name, operation]) => [name, new Subject(operation, options.warmupMs)]));
  const wall = new Map([...operations.keys()].map((name) => [name, [] as number[]]));
  const cpu = new Map([...operations.keys()].map((name) => [name, [] as number[]]));
  for (let round = 1; round <= options.rounds; round++) {
    const roundRates = new Map<string, number>();
    for (const [name, subject] of subjects) {
      const rates = subject.run(options.runMs);
      wall.get(name)!.push(rates.wall);
      cpu.get(name)!.push(rates.cpu);
      roundRates.set(name, rates.wall);
    }
    options.onRound?.(round, roundRates);
  }
  return new Map(
    [...subjects].map(([name, subject]) => [
      name,
      { wall: summarize(wall.get(name)!), cpu: summarize(cpu.get(name)!), checksum: subject.checksum, wallByRound: wall.get(name)! },
    ]),
  );
}

/** The median over rounds of `subject`'s rate divided by `baseline`'s rate in the same round. */
export function ratioByRound(subject: RoundsMeasurement, baseline: RoundsMeasurement): number {
  const ratios = subject.wallByRound.map((rate, round) => rate / baseline.wallByRound[round]!);
  return median(ratios);
}

/** One operation, warmed up and calibrated, run for a given time on demand. */
class Subject {
  checksum = 0;
  readonly #batch: (count: number) => void;
  readonly #batchSize: number;

  constructor(operation: () => number, warmupMs: number) {
    this.#batch = (count: number) => {
      let sum = 0;
      for (let index = 0; index < count; index++) sum += operation();
      this.checksum += sum;
    };
    this.#batchSize = calibrate(this.#batch, warmupMs);
  }

  /** Runs for at least `runMs`; operations per second of wall-clock and of CPU time. */
  run(runMs: number): { wall: number; cpu: number } {
    let operations = 0;
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(runMs) * 1_000_000n;
    let now = start;
    while (now < deadline) {
      this.#batch(this.#batchSize);
      operations += this.#batchSize;
      now = process.hrtime.bigint();
    }
    const cpu = process.cpuUsage(cpuStart);
    return { wall: ratePerSecond(operations, Number(now - start)), cpu: ratePerSecond(operations, (cpu.user + cpu.system) * 1000) };
  }
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
