import { pino, type DestinationStream, type Level, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { LogLevelName } from '../config/index.js';

export interface LoggerOptions {
  /** The config's `log_level`; the reference's logrus names are accepted. */
  readonly level?: LogLevelName | undefined;
  /** JSON lines when true (production); readable text otherwise. */
  readonly json?: boolean | undefined;
  /** Where lines go. Default: standard output. */
  readonly destination?: DestinationStream;
  /** Sees every log call first (error reporting uses it to pick up lines logged at error). */
  readonly logMethodHook?: NonNullable<PinoOptions['hooks']>['logMethod'];
}

export interface ServerLogger {
  readonly logger: Logger;
  /** Writes out buffered lines; call before the process exits. */
  flush(): void;
}

const logrusToPino: Record<LogLevelName, Level> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  panic: 'fatal',
};

/**
 * The server's root logger. JSON lines go through an asynchronous buffered writer (the logger sink
 * can log every record, so writes must not block the event loop); the readable format uses
 * pino-pretty in-process, meant for development where volume is low.
 */
export function createServerLogger(options: LoggerOptions = {}): ServerLogger {
  const level = logrusToPino[options.level ?? 'info'];
  const base = {
    level,
    base: { service: 'fleet-telemetry' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.logMethodHook ? { hooks: { logMethod: options.logMethodHook } } : {}),
  };
  if (options.json === true) {
    const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
    const logger = pino(base, destination);
    return { logger, flush: () => flushDestination(destination) };
  }
  const pretty = PinoPretty({
    destination: options.destination ?? 1,
    sync: true,
    colorize: options.destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    singleLine: true,
  });
  return { logger: pino(base, pretty), flush: () => undefined };
}

function flushDestination(destination: DestinationStream): void {
  const flushable = destination as DestinationStream & { flushSync?: () => void };
  try {
    flushable.flushSync?.();
  } catch {
    // Nothing buffered, or the stream is already closed: there is nothing left to save.
  }
}
