import { describe, expect, it } from 'vitest';
import { createRandom } from '../src/random.js';
import { dueAt, framesDue, Pacer, refreshDueAt } from '../src/schedule.js';

describe('framesDue', () => {
  it('counts the first frame at the start and one more every 1/rate', () => {
    expect(framesDue(-1, 10)).toBe(0);
    expect(framesDue(0, 10)).toBe(1);
    expect(framesDue(99.9, 10)).toBe(1);
    expect(framesDue(100, 10)).toBe(2);
    expect(framesDue(1_000, 10)).toBe(11);
    expect(framesDue(60_000, 500)).toBe(30_001);
  });

  it('handles fractional rates', () => {
    expect(framesDue(1_999, 0.5)).toBe(1);
    expect(framesDue(2_000, 0.5)).toBe(2);
  });

  it('never exceeds the limit', () => {
    expect(framesDue(10_000, 100, 25)).toBe(25);
  });

  it('is the inverse of dueAt', () => {
    for (const rate of [1, 3, 7.5, 250]) {
      for (let index = 0; index < 50; index++) expect(framesDue(dueAt(index, rate) + 1e-6, rate)).toBe(index + 1);
    }
  });
});

describe('Pacer', () => {
  it('catches up after a stall, at most maxBurst per call', () => {
    const pacer = new Pacer(100, 0);
    expect(pacer.due(0)).toBe(1);
    pacer.recordSent(1);
    // A 100 ms stall: 10 more frames are due.
    expect(pacer.lag(100)).toBe(10);
    expect(pacer.due(100, 4)).toBe(4);
    pacer.recordSent(4);
    expect(pacer.due(100, 4)).toBe(4);
    pacer.recordSent(4);
    expect(pacer.due(100, 4)).toBe(2);
    pacer.recordSent(2);
    expect(pacer.due(100, 4)).toBe(0);
  });

  it('keeps the rate without drift however late the ticks are', () => {
    const random = createRandom(7);
    const rate = 333;
    const pacer = new Pacer(rate, 1_000, Number.POSITIVE_INFINITY);
    let now = 1_000;
    // Irregular ticks: 0–20 ms apart, sometimes a 250 ms stall.
    while (now < 61_000) {
      pacer.recordSent(pacer.due(now, 50));
      now += random.chance(0.01) ? 250 : random.between(0, 20);
    }
    const expected = framesDue(now - 1_000, rate);
    // Whatever is still behind is bounded by one stall's catch-up, not growing with time.
    expect(pacer.sent).toBeGreaterThan(expected - 100);
    expect(pacer.sent).toBeLessThanOrEqual(expected);
    pacer.recordSent(pacer.due(now + 1_000));
    expect(pacer.sent).toBe(framesDue(now, rate));
  });

  it('finishes at its limit', () => {
    const pacer = new Pacer(10, 0, 3);
    pacer.recordSent(pacer.due(10_000));
    expect(pacer.sent).toBe(3);
    expect(pacer.finished).toBe(true);
    expect(pacer.due(20_000)).toBe(0);
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new Pacer(0, 0)).toThrow(RangeError);
    expect(() => new Pacer(Number.NaN, 0)).toThrow(RangeError);
  });
});

describe('refreshDueAt', () => {
  it('spreads first refreshes over one period, then keeps the period', () => {
    const random = createRandom(7);
    const first = Array.from({ length: 1_000 }, () => refreshDueAt(5_000, 1_000, true, random.next()) - 5_000);
    expect(Math.min(...first)).toBeGreaterThan(0);
    expect(Math.max(...first)).toBeLessThanOrEqual(1_000);
    // Spread out, not bunched: every tenth of the period gets some of them.
    const tenths = new Set(first.map((delay) => Math.min(9, Math.floor(delay / 100))));
    expect(tenths.size).toBe(10);
    expect(refreshDueAt(5_000, 1_000, false, 0.3)).toBe(6_000);
  });
});
