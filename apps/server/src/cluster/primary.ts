import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { WorkerPool, WorkerStartError, type PoolWorker } from '@fleet-telemetry/cluster';
import type { Logger } from 'pino';
import { ConfigError, type LoadedConfig } from '../config/index.js';
import { startMetricsServer } from '../http/metrics-server.js';
import type { PlainHttpServer } from '../http/plain-server.js';
import { startStatusServer } from '../http/status-server.js';
import { waitForShutdownSignal } from '../lifecycle/signals.js';
import type { InstalledMetrics } from '../metrics/provider.js';
import { bindOrExplain, DEFAULT_HOST, DEFAULT_METRICS_HOST, type RunningServer } from '../server.js';

export interface PrimaryContext {
  readonly loaded: LoadedConfig;
  readonly configPath: string;
  /** Number of workers, at least 2. */
  readonly workers: number;
  readonly logger: Logger;
  readonly flush: () => void;
  /** Waits for error reports still being sent (Airbrake); called before returning the exit code. */
  readonly flushReports: () => Promise<void>;
  readonly metrics: InstalledMetrics;
  readonly stderr: (text: string) => void;
  /** Ends the process at once (a second shutdown signal). */
  readonly exit: (code: number) => never;
  readonly onStarted?: (context: { readonly logger: Logger; readonly server: RunningServer }) => void;
}

/**
 * Metrics whose values from the processes are not added up: `uptime_sec` is how long the server
 * has run, the oldest process's (the primary's) uptime. Every other gauge (`num_connections`,
 * `signal_count`, queue sizes) counts a share each worker holds and is summed.
 */
const GAUGE_MERGE_RULES = { uptime_sec: 'max' } as const;

/**
 * The primary of a server running `workers` processes: it forks the workers (each runs the whole
 * server on the shared mTLS port), replaces those that die, owns the status port and serves the
 * workers' metrics merged into one `/metrics`. On SIGTERM / SIGINT every worker shuts down
 * gracefully; the exit code is 0 when all of them exited cleanly.
 */
export async function runPrimary(context: PrimaryContext): Promise<number> {
  const { loaded, logger, metrics } = context;
  const { config } = loaded;
  const cpus = availableParallelism();
  if (context.workers > cpus) logger.warn({ workers: context.workers, cpus }, 'more workers than CPUs');
  const pool = new WorkerPool({ size: context.workers, logger, merge: { gauges: GAUGE_MERGE_RULES } });
  const listeners: PlainHttpServer[] = [];
  const closeListeners = async () => {
    for (const listener of listeners.splice(0).reverse()) {
      await listener.close().catch((error: unknown) => logger.error({ err: error }, 'cleanup_error'));
    }
  };

  let workers: PoolWorker[];
  let statusPort: number | undefined;
  let metricsPort: number | undefined;
  try {
    logger.info(
      {
        config: context.configPath,
        workers: context.workers,
        scheduling: cluster.schedulingPolicy === cluster.SCHED_RR ? 'round-robin' : 'operating-system',
      },
      'starting',
    );
    // The listeners come first: a port that is taken fails the start before any worker runs.
    const host = config.host || DEFAULT_HOST;
    if (config.status_port) {
      const status = await bindOrExplain(['status_port'], () =>
        startStatusServer(host, config.status_port ?? 0, () => pool.workers.length > 0),
      );
      listeners.push(status);
      statusPort = status.port;
      logger.info({ host, port: statusPort }, 'status_server_started');
    }
    const monitoring = config.monitoring;
    if (monitoring?.prometheus_metrics_port) {
      const metricsHost = monitoring.prometheus_metrics_host || DEFAULT_METRICS_HOST;
      const merged = { scrape: async () => pool.collectMetrics(await metrics.reader.scrape()) };
      const endpoint = await bindOrExplain(['monitoring', 'prometheus_metrics_port'], () =>
        startMetricsServer(metricsHost, monitoring.prometheus_metrics_port ?? 0, merged),
      );
      listeners.push(endpoint);
      metricsPort = endpoint.port;
      logger.info({ host: metricsHost, port: metricsPort }, 'metrics_server_started');
    }
    workers = await pool.start();
  } catch (error) {
    await closeListeners();
    if (error instanceof ConfigError || error instanceof WorkerStartError) context.stderr(error.message);
    logger.fatal({ err: error }, 'start_failed');
    context.flush();
    await context.flushReports();
    return 1;
  }

  const port = Number(workers[0]?.details.port ?? config.port);
  logger.info({ workers: workers.length, pids: workers.map((worker) => worker.pid), port }, 'started');
  const server: RunningServer = {
    port,
    statusPort,
    metricsPort,
    stop: async () => {
      await pool.stop();
      await closeListeners();
    },
  };
  context.onStarted?.({ logger, server });

  await waitForShutdownSignal({
    logger,
    onForce: () => {
      pool.kill();
      context.flush();
      context.exit(1);
    },
  });
  try {
    const stopped = await pool.stop();
    await closeListeners();
    await metrics.shutdown();
    if (!stopped.clean) logger.error({ exits: stopped.exits }, 'workers_stopped_with_errors');
    logger.info({ clean: stopped.clean }, 'stopped');
    return stopped.clean ? 0 : 1;
  } catch (error) {
    logger.error({ err: error }, 'shutdown_error');
    return 1;
  } finally {
    context.flush();
    await context.flushReports();
  }
}
