import { describe, expect, it } from 'vitest';
import { RateLimiterOptionsError, rateLimiterFromConfig } from '../src/index.js';
import { FakeClock } from './fake-clock.js';

describe('rateLimiterFromConfig', () => {
  it('turns message_interval_time seconds into the window', () => {
    const clock = new FakeClock(0);
    const limiter = rateLimiterFromConfig(
      { enabled: true, message_limit: 2, message_interval_time: 30 },
      { now: clock.now },
    );
    expect([limiter.tryAcquire('s'), limiter.tryAcquire('s'), limiter.tryAcquire('s')]).toEqual([true, true, false]);
    // Still limited 29 s later: the window is 30 s, not the zero the reference ends up with.
    clock.set(29_000);
    expect(limiter.tryAcquire('s')).toBe(false);
    clock.set(33_000);
    expect(limiter.tryAcquire('s')).toBe(true);
  });

  it('accepts fractional seconds', () => {
    const clock = new FakeClock(0);
    const limiter = rateLimiterFromConfig({ enabled: true, message_limit: 1, message_interval_time: 0.5 }, { now: clock.now });
    expect([limiter.tryAcquire('s'), limiter.tryAcquire('s')]).toEqual([true, false]);
    clock.set(550);
    expect(limiter.tryAcquire('s')).toBe(true);
  });

  it('limits nothing when disabled or absent, whatever the numbers', () => {
    for (const config of [undefined, {}, { enabled: false, message_limit: 1, message_interval_time: 1 }, { enabled: false }]) {
      const limiter = rateLimiterFromConfig(config);
      expect(limiter.enabled).toBe(false);
      expect([1, 2, 3, 4, 5].every(() => limiter.tryAcquire('s'))).toBe(true);
    }
  });

  it('names the configuration keys in its errors', () => {
    expect(() => rateLimiterFromConfig({ enabled: true, message_interval_time: 1 })).toThrow(
      /rate_limit\.message_limit must be a positive integer, got undefined/,
    );
    expect(() => rateLimiterFromConfig({ enabled: true, message_limit: 0, message_interval_time: 1 })).toThrow(
      RateLimiterOptionsError,
    );
    expect(() => rateLimiterFromConfig({ enabled: true, message_limit: 10 })).toThrow(
      /rate_limit\.message_interval_time must be a positive number of seconds, got undefined/,
    );
    expect(() => rateLimiterFromConfig({ enabled: true, message_limit: 10, message_interval_time: 0 })).toThrow(
      /message_interval_time/,
    );
  });
});
