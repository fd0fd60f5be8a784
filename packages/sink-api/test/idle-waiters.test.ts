import { describe, expect, it, vi } from 'vitest';
import { IdleWaiters } from '../src/index.js';

describe('IdleWaiters', () => {
  it('resolves every waiter when the sink becomes idle', async () => {
    const waiters = new IdleWaiters();
    const settled: number[] = [];
    const first = waiters.wait(60_000).then(() => settled.push(1));
    const second = waiters.wait(60_000).then(() => settled.push(2));
    await Promise.resolve();
    expect(settled).toEqual([]);
    waiters.notifyIdle();
    await Promise.all([first, second]);
    expect(settled).toEqual([1, 2]);
  });

  it('resolves a waiter after its own time limit when the sink never becomes idle', async () => {
    vi.useFakeTimers();
    try {
      const waiters = new IdleWaiters();
      let done = false;
      const waiting = waiters.wait(1_000).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(999);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
