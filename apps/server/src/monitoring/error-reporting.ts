import { airbrakeLogHook, type AirbrakeNotifier } from '@fleet-telemetry/airbrake';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/index.js';
import type { LoggerOptions } from '../logging/logger.js';
import { airbrakeFromConfig } from './airbrake.js';

/** How long an exiting server waits for error reports still being sent. */
const EXIT_FLUSH_TIMEOUT_MS = 3_000;

/**
 * Unexpected errors reported outside the logs (Airbrake, when the config has an `airbrake`
 * section): every line logged at error or fatal with an error object, which includes the uncaught
 * exceptions and unhandled rejections the server logs before it exits.
 */
export interface ErrorReporting {
  /** For `createServerLogger`: undefined when nothing is reported. */
  readonly logMethodHook: LoggerOptions['logMethodHook'];
  /** The server's logger, created after the reporter, for the reporter's own send failures. */
  useLogger(logger: Logger): void;
  /** Waits (a few seconds at most) for reports still being sent; call before the process exits. */
  flush(): Promise<void>;
}

export function errorReportingFromConfig(config: ServerConfig, env: Readonly<Record<string, string | undefined>>): ErrorReporting {
  let logger: Logger | undefined;
  const notifier: AirbrakeNotifier | undefined = airbrakeFromConfig(config, env, {
    warn: (details, message) => logger?.warn(details, message),
  });
  return {
    logMethodHook: notifier && airbrakeLogHook(notifier),
    useLogger(serverLogger) {
      logger = serverLogger;
      if (notifier) serverLogger.info({ url: notifier.noticesUrl, key_source: keySource(config, env) }, 'airbrake_configured');
    },
    async flush() {
      await notifier?.flush(EXIT_FLUSH_TIMEOUT_MS);
    },
  };
}

function keySource(config: ServerConfig, env: Readonly<Record<string, string | undefined>>): string {
  return env.AIRBRAKE_PROJECT_KEY ? 'environment_variable' : config.airbrake?.project_key ? 'config_file' : 'none';
}
