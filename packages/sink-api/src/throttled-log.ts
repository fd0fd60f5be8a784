import type { Logger } from 'pino';

interface Window {
  startedAt: number;
  suppressed: number;
}

const MAX_KEYS = 256;

/**
 * Logs each kind of problem at most once per window, with the count of repeats it held back:
 * a broker outage can fail a hundred thousand records at once, and that must not become a
 * hundred thousand log lines.
 */
export class ThrottledLog {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 10_000,
  ) {}

  /** `key` names the kind of problem (e.g. the error message); `fields` go into the line. */
  log(level: 'warn' | 'error', key: string, fields: Record<string, unknown>, message: string, now = Date.now()): void {
    const window = this.#windows.get(key);
    if (window !== undefined && now - window.startedAt < this.windowMs) {
      window.suppressed += 1;
      return;
    }
    const repeats = window?.suppressed ?? 0;
    if (this.#windows.size >= MAX_KEYS && window === undefined) this.#windows.clear();
    this.#windows.set(key, { startedAt: now, suppressed: 0 });
    this.logger[level](repeats > 0 ? { ...fields, repeats_not_logged: repeats } : fields, message);
  }
}
