import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isChildMessage, type EventMessage, type Events, type Protocol, type ResponseMessage } from './ipc.js';

/** The bench package directory: children run from here so `--import tsx` resolves. */
export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The benchmark's own scripts are TypeScript, run through tsx. */
const tsxFlags = ['--import', 'tsx'];
/** Resolve workspace packages to their TypeScript sources instead of their builds. */
const sourceCondition = '--conditions=@fleet-telemetry/source';

export interface SpawnOptions {
  /** Shown in error messages and before the child's stderr lines. */
  readonly label: string;
  /** Absolute path of the TypeScript entry. */
  readonly script: string;
  /** JSON-serialisable settings, handed to the child as its first argument. */
  readonly settings: unknown;
  /** Pin the child to this CPU (`taskset -c`); unpinned when undefined. */
  readonly cpu?: number | undefined;
  /** Extra Node flags (`--expose-gc`, `--max-old-space-size=...`). */
  readonly nodeFlags?: readonly string[];
  /**
   * Load the workspace packages from their TypeScript sources (through tsx) rather than their
   * `dist/` builds. Handy while developing; the builds are what ships, and tsx adds small costs
   * of its own (such as a call naming every function it creates).
   */
  readonly sources?: boolean;
}

const liveChildren = new Set<ChildProcess>();

// Whatever ends the benchmark, its servers and load generators go with it. (Children also exit
// by themselves when the IPC channel to this process closes.)
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** Whether `taskset` can pin processes here (Linux with util-linux, and at least two CPUs). */
export function pinningAvailable(): boolean {
  if (availableParallelism() < 2) return false;
  const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

/** The hard limit on open files children can raise themselves to (children run `ulimit -n <hard>`). */
export function hardFileLimit(): number {
  const probe = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' });
  const value = probe.stdout.trim();
  return value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value);
}

/**
 * A child process with an IPC channel: typed requests, events, and a kill that always works.
 * `P` is the protocol the child serves, `E` the events it emits.
 */
export class Child<P extends Protocol, E extends Events> {
  readonly exited: Promise<number | null>;
  private readonly process: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private exitCode: number | null | undefined;

  constructor(private readonly options: SpawnOptions) {
    const node = [
      process.execPath,
      ...(options.sources === true ? [sourceCondition] : []),
      ...tsxFlags,
      ...(options.nodeFlags ?? []),
      options.script,
      JSON.stringify(options.settings),
    ];
    const pinned = options.cpu === undefined ? node : ['taskset', '-c', String(options.cpu), ...node];
    // The shell raises the soft limit on open files to the hard one (10,000 sockets need it), then
    // execs, so the pid is the Node process's own.
    this.process = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', ...pinned], {
      cwd: packageDir,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    liveChildren.add(this.process);
    this.process.stderr?.setEncoding('utf8');
    let partial = '';
    this.process.stderr?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.length > 0) process.stderr.write(`  [${options.label}] ${line}\n`);
    });
    this.process.on('message', (message: unknown) => {
      if (isChildMessage(message)) {
        if (message.type === 'response') this.settle(message);
        else this.dispatchEvent(message);
      }
    });
    this.exited = new Promise((resolveExit) => {
      this.process.on('exit', (code, signal) => {
        liveChildren.delete(this.process);
        this.exitCode = code ?? (signal === null ? null : -1);
        const reason = new Error(`${options.label} exited (${signal ?? `code ${code}`})`);
        for (const { reject } of this.pending.values()) reject(reason);
        this.pending.clear();
        resolveExit(code);
      });
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get label(): string {
    return this.options.label;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Calls `method` in the child; rejects when it fails, the child exits, or `timeoutMs` passes. */
  request<M extends keyof P & string>(method: M, params: P[M]['params'], timeoutMs: number): Promise<P[M]['result']> {
    if (!this.running) return Promise.reject(new Error(`${this.options.label} is not running`));
    const id = this.nextId++;
    return new Promise<P[M]['result']>((resolveRequest, rejectRequest) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        rejectRequest(new Error(`${this.options.label}: ${method} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolveRequest(value as P[M]['result']);
        },
        reject: (error) => {
          clearTimeout(timer);
          rejectRequest(error);
        },
      });
      this.process.send({ type: 'request', id, method, params });
    });
  }

  on<N extends keyof E & string>(name: N, listener: (data: E[N]) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    this.listeners.set(name, set);
    const untyped = listener as (data: unknown) => void;
    set.add(untyped);
    return () => set.delete(untyped);
  }

  /**
   * The first `name` event whose data satisfies `accept` (throwing from `accept` rejects). Rejects
   * when the child exits first or `timeoutMs` passes.
   */
  waitFor<N extends keyof E & string>(name: N, accept: (data: E[N]) => boolean, timeoutMs: number, what: string): Promise<E[N]> {
    return new Promise((resolveWait, rejectWait) => {
      const finish = (error: Error | undefined, data?: E[N]): void => {
        clearTimeout(timer);
        unsubscribe();
        if (error) rejectWait(error);
        else resolveWait(data as E[N]);
      };
      const timer = setTimeout(() => finish(new Error(`${this.options.label}: no ${what} within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      const unsubscribe = this.on(name, (data) => {
        try {
          if (accept(data)) finish(undefined, data);
        } catch (error) {
          finish(error as Error);
        }
      });
      void this.exited.then((code) => finish(new Error(`${this.options.label} exited (code ${code}) before ${what}`)));
    });
  }

  /** Ends the child: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async kill(graceMs = 3_000): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private settle(message: ResponseMessage): void {
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new Error(`${this.options.label}: ${message.error ?? 'request failed'}`));
  }

  private dispatchEvent(message: EventMessage): void {
    for (const listener of this.listeners.get(message.name) ?? []) listener(message.data);
  }
}

/** The processes still running (for tests: a benchmark must leave none behind). */
export function liveChildCount(): number {
  return liveChildren.size;
}
