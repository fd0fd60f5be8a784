import type { DeliveryCallback } from '@fleet-telemetry/sink-api';

/**
 * Delivery callbacks for a run of writes: what each got first (`'pending'`, `'ok'` or the
 * error), how often each was called, and a promise for the moment all were called.
 */
export function outcomes(count: number) {
  const results: Array<'pending' | 'ok' | Error> = new Array(count).fill('pending');
  const calls: number[] = new Array(count).fill(0);
  let settled = 0;
  let allSettled: () => void = () => {};
  const done = new Promise<void>((resolve) => (allSettled = resolve));
  if (count === 0) allSettled();
  return {
    callback(index: number): DeliveryCallback {
      return (error) => {
        calls[index] = (calls[index] ?? 0) + 1;
        if (results[index] !== 'pending') return;
        results[index] = error ?? 'ok';
        settled += 1;
        if (settled === count) allSettled();
      };
    },
    results,
    calls,
    done,
    get settled() {
      return settled;
    },
  };
}

/** Polls `condition` every 20 ms; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
