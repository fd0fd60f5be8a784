const MAX_TIMER_MS = 2 ** 31 - 1;

/** Promises that resolve once the sink has nothing pending, or after their own time limit. */
export class IdleWaiters {
  readonly #waiters = new Set<() => void>();

  /** Resolves when `notifyIdle` is called, or after `timeoutMs` whatever is pending then. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.#waiters;
      // Node fires timers beyond 2^31-1 ms after 1 ms: wait unbounded instead.
      const timer = timeoutMs < MAX_TIMER_MS ? setTimeout(finish, Math.max(0, timeoutMs)) : undefined;
      waiters.add(finish);
      function finish(): void {
        clearTimeout(timer);
        waiters.delete(finish);
        resolve();
      }
    });
  }

  notifyIdle(): void {
    for (const finish of [...this.#waiters]) finish();
  }
}
