import { describe, expect, it } from 'vitest';
import { RestartBackoff } from '../src/index.js';

describe('RestartBackoff', () => {
  it('doubles the delay while deaths keep coming, up to the maximum', () => {
    let now = 0;
    const backoff = new RestartBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, resetAfterMs: 10_000 }, () => now);
    const delays = Array.from({ length: 6 }, () => {
      now += 500;
      return backoff.nextDelay();
    });
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('starts over after a quiet period', () => {
    let now = 0;
    const backoff = new RestartBackoff({ initialDelayMs: 100, maxDelayMs: 1_000, resetAfterMs: 10_000 }, () => now);
    backoff.nextDelay();
    backoff.nextDelay();
    now += 9_999;
    expect(backoff.nextDelay()).toBe(400);
    now += 10_000;
    expect(backoff.nextDelay()).toBe(100);
  });

  it('stays at the maximum however long a crash loop lasts', () => {
    const backoff = new RestartBackoff({ initialDelayMs: 0, maxDelayMs: 5 }, () => 0);
    const delays = Array.from({ length: 2_000 }, () => backoff.nextDelay());
    expect(delays.every((delay) => delay === 0)).toBe(true);
    const growing = new RestartBackoff({ initialDelayMs: 1, maxDelayMs: 5 }, () => 0);
    expect(Array.from({ length: 2_000 }, () => growing.nextDelay()).at(-1)).toBe(5);
  });

  it('refuses negative or non-finite settings', () => {
    expect(() => new RestartBackoff({ initialDelayMs: -1 })).toThrow(/initialDelayMs/);
    expect(() => new RestartBackoff({ maxDelayMs: Number.NaN })).toThrow(/maxDelayMs/);
  });
});
