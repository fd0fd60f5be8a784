import type { LoggerOptions } from 'pino';
import type { AirbrakeNotifier } from './notifier.js';

type LogMethodHook = NonNullable<NonNullable<LoggerOptions['hooks']>['logMethod']>;

/** pino's numeric levels: error is 50, fatal 60. */
const ERROR_LEVEL = 50;
const FATAL_LEVEL = 60;

/**
 * A pino `hooks.logMethod` that reports every line logged at `error` or `fatal` with an error in it
 * (`logger.error({ err }, 'msg')` or `logger.error(err, 'msg')`) to Airbrake, the message as its
 * action; the line is logged as usual. Lines without an error object are not reported: they carry
 * no backtrace to group by.
 */
export function airbrakeLogHook(notifier: AirbrakeNotifier): LogMethodHook {
  return function logMethod(args, method, level) {
    if (level >= ERROR_LEVEL) {
      const [first, second] = args as unknown[];
      const error = first instanceof Error ? first : isObject(first) && first.err instanceof Error ? first.err : undefined;
      if (error !== undefined) {
        void notifier.notify(error, {
          severity: level >= FATAL_LEVEL ? 'critical' : 'error',
          context: typeof second === 'string' ? { action: second } : undefined,
        });
      }
    }
    method.apply(this, args);
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
