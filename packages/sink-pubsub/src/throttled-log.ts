import type { Logger } from 'pino';

const MAX_KINDS = 256;

/**
 * Logs each kind of problem at most once per window, with how many repeats it held back: an
 * outage can fail thousands of records at once, and that must not become thousands of lines.
 */
export class ThrottledLog {
  readonly #windows = new Map<string, { startedAt: number; held: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 10_000,
  ) {}

  /** `kind` names the problem (e.g. an error code); `fields` go into the line. */
  log(level: 'warn' | 'error', kind: string, fields: Record<string, unknown>, message: string, now = Date.now()): void {
    const window = this.#windows.get(kind);
    if (window !== undefined && now - window.startedAt < this.windowMs) {
      window.held += 1;
      return;
    }
    if (window === undefined && this.#windows.size >= MAX_KINDS) this.#windows.clear();
    this.#windows.set(kind, { startedAt: now, held: 0 });
    const held = window?.held ?? 0;
    this.logger[level](held > 0 ? { ...fields, repeats_not_logged: held } : fields, message);
  }
}
