import { describe, expect, it } from 'vitest';
import { RateLimiterOptionsError, SlidingWindowRateLimiter, createSlidingWindow } from '../src/index.js';
import { FakeClock } from './fake-clock.js';

/** How many of `attempts` acquisitions succeed at the clock's current time. */
function admit(limiter: SlidingWindowRateLimiter, key: string, attempts: number): number {
  let admitted = 0;
  for (let attempt = 0; attempt < attempts; attempt += 1) if (limiter.tryAcquire(key)) admitted += 1;
  return admitted;
}

describe('SlidingWindowRateLimiter', () => {
  // 3 per second, tracked in 10 slots of 100 ms.
  const create = (clock: FakeClock, options: { subWindows?: number } = {}) =>
    new SlidingWindowRateLimiter({ limit: 3, intervalMs: 1000, now: clock.now, ...options });

  it('allows the limit-th acquisition, refuses the next, and allows again once the window slid', () => {
    const clock = new FakeClock(0);
    const limiter = create(clock);
    expect([1, 2, 3, 4].map(() => limiter.tryAcquire('a'))).toEqual([true, true, true, false]);
    // The slot holding t=0 stays counted until the current slot is a full interval past it.
    for (const time of [1, 500, 999, 1000, 1099]) {
      clock.set(time);
      expect(limiter.tryAcquire('a'), `t=${time}`).toBe(false);
    }
    clock.set(1100);
    expect(admit(limiter, 'a', 5)).toBe(3);
  });

  it('frees admissions slot by slot as they age out', () => {
    const clock = new FakeClock(0);
    const limiter = create(clock);
    expect(admit(limiter, 'a', 2)).toBe(2);
    clock.set(500);
    expect(admit(limiter, 'a', 2)).toBe(1);
    clock.set(1100);
    expect(admit(limiter, 'a', 3)).toBe(2);
    clock.set(1599);
    expect(admit(limiter, 'a', 1)).toBe(0);
    clock.set(1600);
    expect(admit(limiter, 'a', 3)).toBe(1);
  });

  it('never admits two bursts in one window across a window edge', () => {
    const clock = new FakeClock(999);
    const limiter = create(clock);
    expect(admit(limiter, 'a', 3)).toBe(3);
    // A fixed window would start afresh at t=1000 and admit 3 more: 6 within [999, 1999).
    for (const time of [1000, 1500, 1998]) {
      clock.set(time);
      expect(admit(limiter, 'a', 3), `t=${time}`).toBe(0);
    }
  });

  it('is exact to the millisecond with one slot per millisecond', () => {
    const clock = new FakeClock(0);
    const limiter = new SlidingWindowRateLimiter({ limit: 2, intervalMs: 100, subWindows: 100, now: clock.now });
    expect(admit(limiter, 'a', 2)).toBe(2);
    clock.set(100);
    expect(admit(limiter, 'a', 1)).toBe(0);
    clock.set(101);
    expect(admit(limiter, 'a', 3)).toBe(2);
  });

  it('keeps keys independent', () => {
    const clock = new FakeClock(0);
    const limiter = create(clock);
    expect(admit(limiter, 'a', 5)).toBe(3);
    expect(admit(limiter, 'b', 5)).toBe(3);
    limiter.reset('a');
    expect(admit(limiter, 'a', 5)).toBe(3);
    expect(admit(limiter, 'b', 1)).toBe(0);
    expect(limiter.size).toBe(2);
  });

  it('keeps constant state per key and releases it on delete', () => {
    const clock = new FakeClock(0);
    const limiter = new SlidingWindowRateLimiter<number>({ limit: 50, intervalMs: 1000, now: clock.now });
    const handles = Array.from({ length: 100 }, (_, key) => limiter.forKey(key));
    for (let step = 0; step < 20_000; step += 1) {
      clock.time += 7;
      limiter.tryAcquire(step % 100);
    }
    expect(limiter.size).toBe(100);
    for (const handle of handles) expect((handle as unknown as { slotCount: number }).slotCount).toBe(11);
    for (let key = 0; key < 60; key += 1) expect(limiter.delete(key)).toBe(true);
    expect(limiter.delete(0)).toBe(false);
    expect(limiter.size).toBe(40);
    limiter.clear();
    expect(limiter.size).toBe(0);
  });

  it('gives a handle that shares the key state', () => {
    const clock = new FakeClock(0);
    const limiter = create(clock);
    const handle = limiter.forKey('socket-1');
    expect(handle).toBe(limiter.forKey('socket-1'));
    expect([handle.tryAcquire(), limiter.tryAcquire('socket-1'), handle.tryAcquire()]).toEqual([true, true, true]);
    expect(limiter.tryAcquire('socket-1')).toBe(false);
    handle.reset();
    expect(limiter.tryAcquire('socket-1')).toBe(true);
    // Deleted: the key starts afresh, the old handle keeps its own (now untracked) state.
    limiter.delete('socket-1');
    expect(admit(limiter, 'socket-1', 4)).toBe(3);
    expect([handle.tryAcquire(), handle.tryAcquire(), handle.tryAcquire()]).toEqual([true, true, false]);
  });

  it('survives large clock jumps forwards and never unlocks on a clock stepping back', () => {
    const clock = new FakeClock(5_000);
    const limiter = create(clock);
    expect(admit(limiter, 'a', 4)).toBe(3);
    clock.set(5_000 + 1e12);
    expect(admit(limiter, 'a', 4)).toBe(3);
    clock.set(1_000);
    expect(admit(limiter, 'a', 1)).toBe(0);
    clock.set(5_000 + 1e12 + 1_100);
    expect(admit(limiter, 'a', 4)).toBe(3);
  });

  it('takes the event time from the caller instead of reading the clock', () => {
    const limiter = new SlidingWindowRateLimiter({
      limit: 2,
      intervalMs: 1000,
      now: () => {
        throw new Error('the clock must not be read');
      },
    });
    const handle = limiter.forKey('b');
    expect([0, 0, 0].map((at) => limiter.tryAcquire('a', at))).toEqual([true, true, false]);
    expect(limiter.tryAcquire('a', 1100)).toBe(true);
    expect([5, 6, 7].map((at) => handle.tryAcquire(at))).toEqual([true, true, false]);
  });

  it('refuses a clock that returns a non-finite time', () => {
    const limiter = new SlidingWindowRateLimiter({ limit: 1, intervalMs: 1000, now: () => Number.NaN });
    expect(() => limiter.tryAcquire('a')).toThrow(/non-finite/);
  });

  it('allows everything and keeps no state when disabled', () => {
    const limiter = new SlidingWindowRateLimiter({ enabled: false, limit: 0, intervalMs: 0 });
    expect(limiter.enabled).toBe(false);
    let admitted = 0;
    for (let attempt = 0; attempt < 10_000; attempt += 1) if (limiter.tryAcquire(`key-${attempt % 7}`)) admitted += 1;
    expect(admitted).toBe(10_000);
    const handle = limiter.forKey('a');
    expect(Array.from({ length: 100 }, () => handle.tryAcquire()).every(Boolean)).toBe(true);
    expect(limiter.size).toBe(0);
  });

  it('uses a monotonic clock by default', () => {
    const limiter = new SlidingWindowRateLimiter({ limit: 2, intervalMs: 60_000 });
    expect(admit(limiter, 'a', 3)).toBe(2);
  });

  it('validates its options with clear errors', () => {
    const invalid: [Record<string, unknown>, RegExp][] = [
      [{ limit: 0, intervalMs: 1000 }, /limit must be an integer in 1\.\.4294967295, got 0/],
      [{ limit: 1.5, intervalMs: 1000 }, /limit must be an integer/],
      [{ limit: Number.POSITIVE_INFINITY, intervalMs: 1000 }, /limit must be an integer/],
      [{ limit: '5', intervalMs: 1000 }, /limit must be an integer/],
      [{ limit: 5, intervalMs: 0 }, /intervalMs must be an integer/],
      [{ limit: 5, intervalMs: Number.NaN }, /intervalMs must be an integer/],
      [{ limit: 5, intervalMs: -1000 }, /intervalMs must be an integer/],
      [{ limit: 5, intervalMs: 1000, subWindows: 0 }, /subWindows must be an integer in 1\.\.1000/],
      [{ limit: 5, intervalMs: 5, subWindows: 6 }, /subWindows must be an integer in 1\.\.5/],
      [{ limit: 5, intervalMs: 1000, now: 42 }, /now must be a function/],
    ];
    for (const [options, message] of invalid) {
      const construct = () => new SlidingWindowRateLimiter(options as never);
      expect(construct).toThrow(RateLimiterOptionsError);
      expect(construct).toThrow(message);
    }
  });
});

describe('createSlidingWindow', () => {
  it('limits one stream without a map', () => {
    const clock = new FakeClock(0);
    const window = createSlidingWindow({ limit: 2, intervalMs: 1000, subWindows: 4, now: clock.now });
    expect([window.tryAcquire(), window.tryAcquire(), window.tryAcquire()]).toEqual([true, true, false]);
    expect(window.used).toBe(2);
    expect(window.slotCount).toBe(5);
    clock.set(1250);
    expect(window.used).toBe(0);
    expect(window.tryAcquire()).toBe(true);
  });
});
