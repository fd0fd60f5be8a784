const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Counts unsettled writes and lets `flush` wait for them, at most a given time. */
export class PendingTracker {
  #count = 0;
  #idleWaiters: Array<() => void> = [];

  get count(): number {
    return this.#count;
  }

  add(): void {
    this.#count += 1;
  }

  done(): void {
    this.#count -= 1;
    if (this.#count > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves when nothing is pending, or after `timeoutMs` whatever is left. */
  waitForIdle(timeoutMs: number): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      // Node cannot time out beyond 2^31-1 ms (it would fire after 1 ms instead): wait unbounded.
      const timer = timeoutMs < MAX_TIMEOUT_MS ? setTimeout(finish, Math.max(0, timeoutMs)) : undefined;
      timer?.unref();
      this.#idleWaiters.push(finish);
      function finish() {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
