import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports process CPU time in clock ticks of 1/100 s (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, every thread) the process has used so far, in ms, from
 * `/proc/<pid>/stat`; `undefined` once the process is gone.
 */
export function processCpuMs(pid: number): number | undefined {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * CPU time of one thread of a process, in ms (`/proc/<pid>/task/<tid>/stat`). A Node process's
 * main thread, the one running the event loop, has the process's own id.
 */
export function threadCpuMs(pid: number, tid: number): number | undefined {
  return statCpuMs(`/proc/${pid}/task/${tid}/stat`);
}

function statCpuMs(path: string): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, so 12 and 13 after the name.
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return ((user + system) * 1000) / TICKS_PER_SECOND;
}

/**
 * The pid of the first process whose command line contains `fragment` (e.g. a broker's config
 * file) and, when given, whose program (first argument) ends with `program` (a launcher script
 * and the JVM it starts share their arguments).
 */
export function findProcess(fragment: string, program?: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (program !== undefined && !(args[0] ?? '').endsWith(program)) continue;
      if (args.join(' ').includes(fragment)) return Number(entry);
    } catch {
      // The process ended while the list was read.
    }
  }
  return undefined;
}

/** A process (every thread), or one thread of it. */
export type CpuSource = number | { readonly pid: number; readonly tid: number };

/** CPU of named processes (or threads) over a window: call `start()`, then `stop()` for cores used by each. */
export class CpuWindow {
  #startedAt = 0;
  #start = new Map<string, number>();

  constructor(private readonly sources: Readonly<Record<string, CpuSource>>) {}

  start(): void {
    this.#startedAt = performance.now();
    this.#start = new Map(Object.entries(this.sources).map(([name, source]) => [name, cpuMsOf(source) ?? 0]));
  }

  /** Cores each process kept busy on average over the window (1 = one full core). */
  stop(): Record<string, number> {
    const elapsedMs = performance.now() - this.#startedAt;
    const cores: Record<string, number> = {};
    for (const [name, source] of Object.entries(this.sources)) {
      cores[name] = ((cpuMsOf(source) ?? 0) - (this.#start.get(name) ?? 0)) / elapsedMs;
    }
    return cores;
  }
}

function cpuMsOf(source: CpuSource): number | undefined {
  return typeof source === 'number' ? processCpuMs(source) : threadCpuMs(source.pid, source.tid);
}

/**
 * Time the calling process's main thread has spent runnable but waiting for a CPU, in µs, from
 * `/proc/self/schedstat` (its second field, ns); `undefined` where the kernel does not report it.
 * A latency measured while this grows is partly the scheduler's: other processes held the core.
 */
export function runQueueWaitUs(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/schedstat', 'utf8').trim().split(' ');
    const waitNs = Number(fields[1]);
    return Number.isFinite(waitNs) ? waitNs / 1000 : undefined;
  } catch {
    return undefined;
  }
}
