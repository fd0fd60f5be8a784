import { connectToPrimary } from '@fleet-telemetry/cluster';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/index.js';
import { waitForShutdownSignal } from '../lifecycle/signals.js';
import type { InstalledMetrics } from '../metrics/provider.js';
import { startServer, type RunningServer } from '../server.js';

export interface WorkerContext {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  readonly flush: () => void;
  /** Waits for error reports still being sent (Airbrake); called before returning the exit code. */
  readonly flushReports: () => Promise<void>;
  readonly metrics: InstalledMetrics;
  /** Ends the process at once (a second shutdown signal). */
  readonly exit: (code: number) => never;
}

/**
 * One server process of several: the whole server (its own sinks, rate limiter, connectivity
 * events) on the shared mTLS port, without the status and metrics listeners, which the primary
 * owns. It reports to the primary when it is ready or why it could not start, answers its metrics
 * requests, and shuts down gracefully when the primary asks (or is gone) or on a signal.
 */
export async function runWorker(context: WorkerContext): Promise<number> {
  // Connected before the slow start, so a shutdown request during it is not missed.
  const primary = connectToPrimary();
  const logger = context.logger.child({ worker: primary.workerId });

  let server: RunningServer;
  try {
    server = await startServer({ loaded: withoutPrimaryListeners(context.loaded), logger, metricsReader: context.metrics.reader });
  } catch (error) {
    logger.fatal({ err: error }, 'start_failed');
    context.flush();
    // The primary prints the message and exits with it; printing it here too would say it twice.
    await primary.reportStartFailure(error instanceof Error ? error.message : String(error));
    await context.flushReports();
    return 1;
  }
  primary.serveMetrics(() => context.metrics.reader.scrape());
  logger.info({ pid: process.pid, port: server.port }, 'worker_started');
  await primary.reportReady({ port: server.port });

  const signal = waitForShutdownSignal({
    logger,
    onForce: () => {
      context.flush();
      context.exit(1);
    },
  });
  const reason = await Promise.race([primary.shutdownRequested, signal]);
  if (reason === 'requested') logger.info('shutdown_requested_by_primary');
  if (reason === 'primary-gone') logger.warn('primary_gone');
  try {
    await server.stop();
    await context.metrics.shutdown();
    logger.info('shutdown_complete');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'shutdown_error');
    return 1;
  } finally {
    context.flush();
    await context.flushReports();
  }
}

/** The config a worker starts with: the status port and the metrics endpoint are the primary's. */
function withoutPrimaryListeners(loaded: LoadedConfig): LoadedConfig {
  const { status_port: _status, ...config } = loaded.config;
  const monitoring = config.monitoring === undefined ? undefined : { ...config.monitoring, prometheus_metrics_port: 0 };
  return { ...loaded, config: { ...config, ...(monitoring === undefined ? {} : { monitoring }) } };
}
