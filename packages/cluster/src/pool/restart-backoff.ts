export interface RestartBackoffOptions {
  /** Delay before replacing the first worker that died. Default: 250 ms. */
  readonly initialDelayMs?: number;
  /** The delay doubles with every further death, up to this. Default: 30 s. */
  readonly maxDelayMs?: number;
  /** A death this long after the previous one starts again from the initial delay. Default: 60 s. */
  readonly resetAfterMs?: number;
}

/**
 * How long to wait before replacing a worker that died. A worker that crashes now and then is
 * replaced at once; workers that keep crashing (a bad deploy, a poison record) are replaced ever
 * more slowly, so a crash loop does not spin the machine.
 */
export class RestartBackoff {
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #resetAfterMs: number;
  readonly #now: () => number;
  #deaths = 0;
  #lastDeathAt = Number.NEGATIVE_INFINITY;

  constructor(options: RestartBackoffOptions = {}, now: () => number = () => performance.now()) {
    this.#initialDelayMs = options.initialDelayMs ?? 250;
    this.#maxDelayMs = options.maxDelayMs ?? 30_000;
    this.#resetAfterMs = options.resetAfterMs ?? 60_000;
    this.#now = now;
    for (const [name, value] of Object.entries({ initialDelayMs: this.#initialDelayMs, maxDelayMs: this.#maxDelayMs, resetAfterMs: this.#resetAfterMs })) {
      if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
    }
  }

  /** Records a death and returns the delay before its replacement starts. */
  nextDelay(): number {
    const now = this.#now();
    if (now - this.#lastDeathAt >= this.#resetAfterMs) this.#deaths = 0;
    this.#lastDeathAt = now;
    const delay = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** this.#deaths);
    // Past 2^30 the delay is at its maximum anyway; stopping here keeps the product finite.
    this.#deaths = Math.min(this.#deaths + 1, 30);
    return delay;
  }
}
