import { hostname, platform, release } from 'node:os';
import { parseV8Stack, type BacktraceFrame } from './backtrace.js';

/** How bad it was; Airbrake groups and alerts by it. */
export type Severity = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';

export interface NoticeError {
  readonly type: string;
  readonly message: string;
  readonly backtrace: readonly BacktraceFrame[];
}

/** The body of `POST /api/v3/projects/:id/notices`. */
export interface AirbrakeNotice {
  readonly errors: readonly NoticeError[];
  readonly context: Readonly<Record<string, unknown>> & {
    readonly notifier: { readonly name: string; readonly version: string; readonly url: string };
    readonly severity: Severity;
    readonly environment?: string;
  };
  readonly params?: Readonly<Record<string, unknown>>;
}

export interface NoticeOptions {
  readonly severity?: Severity | undefined;
  /** Deployment name (`production`, ...), shown and filtered on by Airbrake. */
  readonly environment?: string | undefined;
  /** Extra context keys (`component`, `action`, `version`, ...). */
  readonly context?: Readonly<Record<string, unknown>> | undefined;
  /** Free-form details of the failure. */
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}

export const NOTIFIER = {
  name: '@fleet-telemetry/airbrake',
  version: '0.1.0',
  url: 'https://github.com/teslamotors/fleet-telemetry',
} as const;

/** Follows `cause` this deep at most: a cycle or a very long chain must not grow the notice forever. */
const MAX_CAUSES = 5;

/**
 * The Airbrake v3 notice for `error`: the error and its `cause` chain (outermost first), each with
 * its type, message and backtrace, and the context Airbrake shows with it.
 */
export function buildNotice(error: unknown, options: NoticeOptions = {}): AirbrakeNotice {
  const errors: NoticeError[] = [];
  const seen = new Set<unknown>();
  for (let current: unknown = error; current !== undefined && errors.length <= MAX_CAUSES && !seen.has(current); ) {
    seen.add(current);
    errors.push(noticeError(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return {
    errors,
    context: {
      notifier: NOTIFIER,
      severity: options.severity ?? 'error',
      ...(options.environment ? { environment: options.environment } : {}),
      hostname: hostname(),
      os: `${platform()} ${release()}`,
      language: `node ${process.version}`,
      rootDirectory: process.cwd(),
      ...options.context,
    },
    ...(options.params ? { params: options.params } : {}),
  };
}

function noticeError(value: unknown): NoticeError {
  if (value instanceof Error) {
    return { type: value.name || value.constructor.name || 'Error', message: value.message, backtrace: parseV8Stack(value.stack) };
  }
  // Anything can be thrown; a thrown string or object still deserves a readable notice.
  return { type: value === null ? 'null' : typeof value, message: describe(value), backtrace: [] };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
