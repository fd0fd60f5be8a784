import cluster, { type ClusterSettings, type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { MetricFamily } from '../metrics/exposition.js';
import { mergeMetricFamilies, type MergeOptions } from '../metrics/merge.js';
import { parsePrometheusText } from '../metrics/parse.js';
import { renderPrometheusText } from '../metrics/render.js';
import { isWorkerMessage, POOL_WORKER_ENV, primaryMessage, type PrimaryMessage, type WorkerMessage } from './messages.js';
import { RestartBackoff, type RestartBackoffOptions } from './restart-backoff.js';
import { WorkerMetrics } from './worker-metrics.js';

export interface WorkerPoolOptions {
  /** Number of workers, at least 1. */
  readonly size: number;
  /** Pool events (`worker_ready`, `worker_exited`, ...). Default: silent. */
  readonly logger?: Logger;
  /** Script, arguments and Node flags of the workers. Default: those of this process. */
  readonly exec?: string;
  readonly args?: readonly string[];
  readonly execArgv?: readonly string[];
  /** Delays before replacing workers that died. */
  readonly restart?: RestartBackoffOptions;
  /** How long a worker may take to answer a metrics request; then its last answer is used. Default: 5 s. */
  readonly metricsTimeoutMs?: number;
  /** How the workers' metrics are merged (gauge rules). */
  readonly merge?: MergeOptions;
  /** How long `stop()` waits for the workers to finish their shutdown before killing them. Default: 60 s. */
  readonly stopTimeoutMs?: number;
}

/** A worker that started: its cluster id, its pid and what it reported when it was ready. */
export interface PoolWorker {
  readonly id: number;
  readonly pid: number;
  readonly details: Readonly<Record<string, unknown>>;
}

/** How a worker ended. */
export interface WorkerExit {
  readonly id: number;
  readonly pid: number;
  readonly code: number | null;
  readonly signal: string | null;
}

export interface PoolStopped {
  /** Every worker exited with code 0 by itself (none had to be killed). */
  readonly clean: boolean;
  readonly exits: readonly WorkerExit[];
}

/** A worker could not start while the pool was starting; `message` is the worker's own reason. */
export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';

  constructor(
    message: string,
    readonly exit: WorkerExit | undefined,
  ) {
    super(message);
  }
}

interface Slot {
  worker: Worker | undefined;
  pid: number;
  ready: boolean;
  details: Readonly<Record<string, unknown>>;
  startFailure: string | undefined;
  restartTimer: NodeJS.Timeout | undefined;
}

interface PendingScrape {
  readonly workerId: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (text: string | undefined) => void;
}

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface WorkerPoolEvents {
  /** A worker reported ready (at start, and each replacement). */
  'worker-ready': [worker: PoolWorker];
  /** A worker ended; `expected` when the pool was stopping. */
  'worker-exit': [exit: WorkerExit & { readonly expected: boolean }];
}

/**
 * N workers forked with `node:cluster`, all running the same server: they share its listening
 * sockets (the primary accepts and hands connections round-robin on Linux). A worker that dies is
 * replaced after a backoff; a worker that fails while the pool starts fails the start. The workers
 * use `connectToPrimary()` to report readiness, answer metrics requests and hear shutdown requests.
 * One pool per process: the cluster settings (script, arguments) belong to the process.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #options: WorkerPoolOptions;
  readonly #logger: Logger;
  readonly #backoff: RestartBackoff;
  readonly #slots: Slot[];
  readonly #metrics = new WorkerMetrics();
  readonly #scrapes = new Map<number, PendingScrape>();
  #state: State = 'idle';
  #nextRequestId = 1;
  #started: { resolve: (workers: PoolWorker[]) => void; reject: (error: WorkerStartError) => void } | undefined;
  #startFailure: WorkerStartError | undefined;
  #stopExits: WorkerExit[] = [];
  #killed = false;
  #allExited: (() => void) | undefined;

  constructor(options: WorkerPoolOptions) {
    super();
    if (!(Number.isInteger(options.size) && options.size >= 1)) throw new RangeError(`size must be an integer >= 1, got ${options.size}`);
    this.#options = options;
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#backoff = new RestartBackoff(options.restart);
    this.#slots = Array.from({ length: options.size }, () => ({
      worker: undefined,
      pid: 0,
      ready: false,
      details: {},
      startFailure: undefined,
      restartTimer: undefined,
    }));
  }

  /**
   * Forks every worker; resolves once each reported ready. If one fails first (it reported a
   * start failure, or exited), the others are shut down and it rejects with a `WorkerStartError`
   * carrying the failed worker's message.
   */
  start(): Promise<PoolWorker[]> {
    if (!cluster.isPrimary) throw new Error('a WorkerPool runs in the primary process only');
    if (this.#state !== 'idle') throw new Error('the pool was already started');
    this.#state = 'starting';
    const started = new Promise<PoolWorker[]>((resolve, reject) => (this.#started = { resolve, reject }));
    for (const slot of this.#slots) this.#fork(slot);
    return started;
  }

  /** The workers that are ready now. */
  get workers(): PoolWorker[] {
    return this.#slots.flatMap((slot) =>
      slot.worker !== undefined && slot.ready ? [{ id: slot.worker.id, pid: slot.pid, details: slot.details }] : [],
    );
  }

  /**
   * The Prometheus exposition of the whole pool: each ready worker is asked for its metrics (one
   * that does not answer in time counts with its last answer), merged with the counters of
   * workers that are gone and with `local` (the primary's own metrics, if any).
   */
  async collectMetrics(local?: string): Promise<string> {
    const live = this.#slots.flatMap((slot) => (slot.worker !== undefined && slot.ready ? [slot.worker] : []));
    await Promise.all(
      live.map(async (worker) => {
        const text = await this.#scrape(worker);
        if (text === undefined) return;
        try {
          this.#metrics.update(worker.id, parsePrometheusText(text));
        } catch (error) {
          this.#logger.warn({ worker: worker.id, err: error }, 'worker_metrics_unreadable');
        }
      }),
    );
    const expositions: MetricFamily[][] = this.#metrics.expositions(live.map((worker) => worker.id));
    if (local !== undefined) expositions.push(parsePrometheusText(local));
    return renderPrometheusText(mergeMetricFamilies(expositions, this.#options.merge));
  }

  /**
   * Asks every worker to shut down (each drains its sockets and flushes its sinks) and resolves
   * once all exited; no worker is replaced from now on. Workers still running after
   * `stopTimeoutMs` are killed, and the stop is not clean.
   */
  async stop(): Promise<PoolStopped> {
    if (this.#state === 'stopped') return this.#stopResult();
    if (this.#state !== 'stopping') this.#beginStopping();
    const timer = setTimeout(() => {
      this.#logger.error({ timeoutMs: this.#stopTimeoutMs, pids: this.#livePids() }, 'workers_stop_timeout');
      this.kill();
    }, this.#stopTimeoutMs);
    await this.#whenAllExited();
    clearTimeout(timer);
    this.#state = 'stopped';
    return this.#stopResult();
  }

  /** Kills every worker at once (a forced shutdown); nothing is replaced any more. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.#state !== 'stopping' && this.#state !== 'stopped') this.#beginStopping();
    this.#killed = true;
    for (const slot of this.#slots) slot.worker?.process.kill(signal);
  }

  get #stopTimeoutMs(): number {
    return this.#options.stopTimeoutMs ?? 60_000;
  }

  #fork(slot: Slot): void {
    slot.restartTimer = undefined;
    const settings: ClusterSettings = {};
    if (this.#options.exec !== undefined) settings.exec = this.#options.exec;
    if (this.#options.args !== undefined) settings.args = [...this.#options.args];
    if (this.#options.execArgv !== undefined) settings.execArgv = [...this.#options.execArgv];
    cluster.setupPrimary(settings);
    const worker = cluster.fork({ [POOL_WORKER_ENV]: '1' });
    slot.worker = worker;
    slot.pid = worker.process.pid ?? 0;
    slot.ready = false;
    slot.details = {};
    slot.startFailure = undefined;
    this.#logger.info({ worker: worker.id, pid: slot.pid }, 'worker_forked');
    worker.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) this.#onMessage(slot, worker, message);
    });
    // Sending to a worker that just died fails; its exit is handled below.
    worker.on('error', (error: Error) => this.#logger.debug({ worker: worker.id, err: error }, 'worker_channel_error'));
    worker.once('exit', (code: number | null, signal: string | null) => this.#onExit(slot, worker, { id: worker.id, pid: slot.pid, code, signal }));
  }

  #onMessage(slot: Slot, worker: Worker, message: WorkerMessage): void {
    switch (message.kind) {
      case 'ready': {
        slot.ready = true;
        slot.details = message.details;
        this.#logger.info({ worker: worker.id, pid: slot.pid, ...message.details }, 'worker_ready');
        this.emit('worker-ready', { id: worker.id, pid: slot.pid, details: slot.details });
        // A shutdown sent before the worker listened for it may have been missed.
        if (this.#state === 'stopping') this.#send(worker, primaryMessage({ kind: 'shutdown' }));
        if (this.#state === 'starting' && this.#slots.every((candidate) => candidate.ready)) {
          this.#state = 'running';
          this.#started?.resolve(this.workers);
        }
        return;
      }
      case 'start-failed':
        slot.startFailure = message.message;
        return;
      case 'metrics': {
        const pending = this.#scrapes.get(message.requestId);
        if (pending === undefined) return;
        if (message.error !== undefined) this.#logger.warn({ worker: worker.id, error: message.error }, 'worker_metrics_failed');
        this.#settleScrape(message.requestId, message.text);
        return;
      }
    }
  }

  #onExit(slot: Slot, worker: Worker, exit: WorkerExit): void {
    slot.worker = undefined;
    slot.ready = false;
    this.#metrics.retire(worker.id);
    for (const [requestId, pending] of this.#scrapes) {
      if (pending.workerId === worker.id) this.#settleScrape(requestId, undefined);
    }
    this.emit('worker-exit', { ...exit, expected: this.#state === 'stopping' || this.#state === 'stopped' });

    switch (this.#state) {
      case 'starting': {
        const message = slot.startFailure ?? `worker ${exit.id} (pid ${exit.pid}) exited with ${describeExit(exit)} before it was ready`;
        this.#logger.error({ worker: exit.id, pid: exit.pid, code: exit.code, signal: exit.signal, reason: message }, 'worker_start_failed');
        this.#startFailure = new WorkerStartError(message, exit);
        this.#beginStopping();
        this.#stopExits.push(exit);
        // The start fails once the other workers are gone too: none is left behind.
        void this.#whenAllExited().then(() => {
          this.#state = 'stopped';
          if (this.#startFailure !== undefined) this.#started?.reject(this.#startFailure);
        });
        break;
      }
      case 'running': {
        const delayMs = this.#backoff.nextDelay();
        this.#logger.error(
          { worker: exit.id, pid: exit.pid, code: exit.code, signal: exit.signal, reason: slot.startFailure, restartInMs: delayMs },
          'worker_exited',
        );
        slot.restartTimer = setTimeout(() => this.#fork(slot), delayMs);
        break;
      }
      default:
        this.#stopExits.push(exit);
        this.#logger.info({ worker: exit.id, pid: exit.pid, code: exit.code, signal: exit.signal }, 'worker_stopped');
    }
    if (this.#livePids().length === 0) this.#allExited?.();
  }

  #beginStopping(): void {
    const wasStarting = this.#state === 'starting';
    this.#state = 'stopping';
    for (const slot of this.#slots) {
      clearTimeout(slot.restartTimer);
      slot.restartTimer = undefined;
      if (slot.worker !== undefined) this.#send(slot.worker, primaryMessage({ kind: 'shutdown' }));
    }
    if (wasStarting && this.#startFailure === undefined) {
      this.#startFailure = new WorkerStartError('the pool was stopped before every worker was ready', undefined);
      void this.#whenAllExited().then(() => this.#started?.reject(this.#startFailure as WorkerStartError));
    }
  }

  #whenAllExited(): Promise<void> {
    if (this.#livePids().length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#allExited;
      this.#allExited = () => {
        this.#allExited = undefined;
        previous?.();
        resolve();
      };
    });
  }

  #livePids(): number[] {
    return this.#slots.flatMap((slot) => (slot.worker === undefined ? [] : [slot.pid]));
  }

  #stopResult(): PoolStopped {
    const clean = !this.#killed && this.#stopExits.every((exit) => exit.code === 0 && exit.signal === null);
    return { clean, exits: [...this.#stopExits] };
  }

  #scrape(worker: Worker): Promise<string | undefined> {
    const requestId = this.#nextRequestId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#logger.warn({ worker: worker.id, timeoutMs: this.#metricsTimeoutMs }, 'worker_metrics_timeout');
        this.#settleScrape(requestId, undefined);
      }, this.#metricsTimeoutMs);
      this.#scrapes.set(requestId, { workerId: worker.id, timer, resolve });
      this.#send(worker, primaryMessage({ kind: 'metrics-request', requestId }));
    });
  }

  get #metricsTimeoutMs(): number {
    return this.#options.metricsTimeoutMs ?? 5_000;
  }

  #settleScrape(requestId: number, text: string | undefined): void {
    const pending = this.#scrapes.get(requestId);
    if (pending === undefined) return;
    this.#scrapes.delete(requestId);
    clearTimeout(pending.timer);
    pending.resolve(text);
  }

  #send(worker: Worker, message: PrimaryMessage): void {
    if (!worker.isConnected()) return;
    // The callback keeps a failed send (the worker is exiting) from becoming an 'error' event.
    worker.send(message, undefined, (error: Error | null) => {
      if (error !== null) this.#logger.debug({ worker: worker.id, err: error }, 'worker_send_failed');
    });
  }
}

function describeExit(exit: WorkerExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}
