import cluster from 'node:cluster';
import { isPrimaryMessage, POOL_WORKER_ENV, workerMessage, type WorkerMessage } from '../pool/messages.js';

/** Why a worker should shut down: its primary asked, or the primary is gone (its channel closed). */
export type ShutdownReason = 'requested' | 'primary-gone';

/** A worker's side of the pool: what it tells its primary and what it hears from it. */
export interface PrimaryChannel {
  /** The worker's cluster id (1, 2, ...; a replacement gets a new one). */
  readonly workerId: number;
  /** Resolves when the primary asks this worker to shut down, or when the primary is gone. */
  readonly shutdownRequested: Promise<ShutdownReason>;
  /** Answers the primary's metrics requests with this process's Prometheus exposition. */
  serveMetrics(scrape: () => Promise<string>): void;
  /** The worker serves now; `details` (e.g. the bound port) are logged by the primary and returned by `start()`. */
  reportReady(details?: Readonly<Record<string, unknown>>): Promise<void>;
  /** The worker cannot start; the pool fails its start with this message. Exit after it resolves. */
  reportStartFailure(message: string): Promise<void>;
}

/** True in a process forked by a `WorkerPool` (not in a worker of some other cluster primary). */
export function isPoolWorker(): boolean {
  return cluster.isWorker && process.env[POOL_WORKER_ENV] === '1';
}

/** Connects a worker to the pool that forked it; call it early, before the slow part of starting. */
export function connectToPrimary(): PrimaryChannel {
  const worker = cluster.worker;
  if (!isPoolWorker() || worker === undefined) throw new Error('this process was not forked by a WorkerPool');
  let requestShutdown: (reason: ShutdownReason) => void = () => undefined;
  const shutdownRequested = new Promise<ShutdownReason>((resolve) => (requestShutdown = resolve));
  let scrape: (() => Promise<string>) | undefined;

  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.kind === 'shutdown') {
      requestShutdown('requested');
      return;
    }
    const { requestId } = message;
    if (scrape === undefined) {
      void send(workerMessage({ kind: 'metrics', requestId, error: 'the worker is not serving metrics yet' }));
      return;
    }
    scrape().then(
      (text) => send(workerMessage({ kind: 'metrics', requestId, text })),
      (error: unknown) => send(workerMessage({ kind: 'metrics', requestId, error: error instanceof Error ? error.message : String(error) })),
    );
  });
  process.once('disconnect', () => requestShutdown('primary-gone'));

  return {
    workerId: worker.id,
    shutdownRequested,
    serveMetrics(scrapeMetrics) {
      scrape = scrapeMetrics;
    },
    reportReady: (details = {}) => send(workerMessage({ kind: 'ready', details })),
    reportStartFailure: (message) => send(workerMessage({ kind: 'start-failed', message })),
  };
}

/** Resolves once the message is sent, or could not be (the primary is gone: nobody to tell). */
function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}
