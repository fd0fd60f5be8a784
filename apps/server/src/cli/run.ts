import { isPoolWorker } from '@fleet-telemetry/cluster';
import type { Logger } from 'pino';
import { runPrimary } from '../cluster/primary.js';
import { runWorker } from '../cluster/worker.js';
import { resolveWorkerCount } from '../cluster/worker-count.js';
import { ConfigError, describeProblem, formatConfigPath, loadServerConfig, type LoadedConfig } from '../config/index.js';
import { waitForShutdownSignal } from '../lifecycle/signals.js';
import { createServerLogger } from '../logging/logger.js';
import { errorReportingFromConfig, type ErrorReporting } from '../monitoring/error-reporting.js';
import type { InstalledMetrics } from '../metrics/provider.js';
import { startServer, type RunningServer } from '../server.js';
import { sinkCatalog } from '../sinks/registry.js';
import { parseCommandLine, USAGE, UsageError, type CommandLine } from './args.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Ends the process at once (a second shutdown signal). */
  readonly exit: (code: number) => never;
}

export interface CliHooks {
  /** Called once the server listens (the development entry prints how to reach it). */
  readonly onStarted?: (context: { readonly logger: Logger; readonly server: RunningServer }) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  exit: (code) => process.exit(code),
};

/**
 * Runs the server until a shutdown signal and returns the exit code: 0 after a clean shutdown,
 * 1 when the config is bad or the server cannot start, 2 for a bad command line.
 */
export async function runCli(
  args: readonly string[],
  metrics: InstalledMetrics,
  io: CliIo = processIo,
  hooks: CliHooks = {},
): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${error.message}\n${USAGE}`);
    return 2;
  }
  if (commandLine.help) {
    io.stdout(USAGE);
    return 0;
  }

  let loaded: LoadedConfig;
  let errorReporting: ErrorReporting;
  try {
    loaded = loadServerConfig(commandLine.configPath, sinkCatalog());
    errorReporting = errorReportingFromConfig(loaded.config, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(error.message);
    return 1;
  }

  const { config } = loaded;
  const { logger, flush } = createServerLogger({
    level: config.log_level,
    json: config.json_log_enable,
    logMethodHook: errorReporting.logMethodHook,
  });
  errorReporting.useLogger(logger);
  exitOnUnexpectedErrors(logger, flush, io, errorReporting);
  // A worker of a multi-process server: its primary has already reported the config warnings.
  const flushReports = () => errorReporting.flush();
  if (isPoolWorker()) return runWorker({ loaded, logger, flush, flushReports, metrics, exit: io.exit });
  for (const warning of loaded.warnings) {
    logger.warn({ key: formatConfigPath(warning.path) }, `config warning: ${describeProblem(warning, commandLine.configPath)}`);
  }
  const workers = resolveWorkerCount(commandLine.workers, config.workers);
  if (workers > 1) {
    const { configPath } = commandLine;
    const { stderr, exit } = io;
    return runPrimary({ loaded, configPath, workers, logger, flush, flushReports, metrics, stderr, exit, onStarted: hooks.onStarted });
  }

  let server: RunningServer;
  try {
    logger.info({ config: commandLine.configPath }, 'starting');
    server = await startServer({ loaded, logger, metricsReader: metrics.reader });
  } catch (error) {
    if (error instanceof ConfigError) io.stderr(error.message);
    logger.fatal({ err: error }, 'start_failed');
    flush();
    await errorReporting.flush();
    return 1;
  }
  logger.info('started');
  hooks.onStarted?.({ logger, server });

  await waitForShutdownSignal({
    logger,
    onForce: () => {
      flush();
      io.exit(1);
    },
  });
  try {
    await server.stop();
    await metrics.shutdown();
    logger.info('stopped');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'shutdown_error');
    return 1;
  } finally {
    flush();
    await errorReporting.flush();
  }
}

/**
 * A bug that escaped every handler leaves the server in an unknown state: log it (which reports it)
 * and exit once the report is sent, or after a few seconds if it cannot be.
 */
function exitOnUnexpectedErrors(logger: Logger, flush: () => void, io: CliIo, errorReporting: ErrorReporting): void {
  const fail = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, kind);
    flush();
    void errorReporting.flush().finally(() => io.exit(1));
  };
  process.on('uncaughtException', fail('uncaught_exception'));
  process.on('unhandledRejection', fail('unhandled_rejection'));
}
