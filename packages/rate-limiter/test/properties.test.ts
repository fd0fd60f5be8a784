import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlidingWindowRateLimiter } from '../src/index.js';
import { FakeClock } from './fake-clock.js';

interface Scenario {
  readonly limit: number;
  readonly intervalMs: number;
  readonly subWindows: number;
  readonly arrivals: readonly number[];
}

const scenarios: fc.Arbitrary<Scenario> = fc
  .record({ limit: fc.integer({ min: 1, max: 8 }), intervalMs: fc.integer({ min: 1, max: 300 }) })
  .chain(({ limit, intervalMs }) =>
    fc.record({
      limit: fc.constant(limit),
      intervalMs: fc.constant(intervalMs),
      subWindows: fc.integer({ min: 1, max: Math.min(20, intervalMs) }),
      // Gaps from "same millisecond" to a couple of intervals apart; bursts are frequent.
      arrivals: fc
        .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 * intervalMs })), { minLength: 1, maxLength: 300 })
        .map((gaps) => gaps.reduce<number[]>((times, gap) => [...times, (times.at(-1) ?? 1_000_000) + gap], [])),
    }),
  );

function replay({ limit, intervalMs, subWindows, arrivals }: Scenario) {
  const clock = new FakeClock();
  const limiter = new SlidingWindowRateLimiter({ limit, intervalMs, subWindows, now: clock.now });
  const admitted: number[] = [];
  const refused: number[] = [];
  for (const time of arrivals) {
    clock.set(time);
    (limiter.tryAcquire('key') ? admitted : refused).push(time);
  }
  return { admitted, refused };
}

describe('sliding window guarantees (property)', () => {
  it('never admits more than limit in any window of intervalMs', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const { admitted } = replay(scenario);
        // limit + 1 admissions always span at least a full interval, so no [t, t + intervalMs) holds them all.
        for (let index = 0; index + scenario.limit < admitted.length; index += 1) {
          expect(admitted[index + scenario.limit]! - admitted[index]!).toBeGreaterThanOrEqual(scenario.intervalMs);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses only when limit admissions happened within intervalMs + intervalMs / subWindows', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const { admitted, refused } = replay(scenario);
        const horizon = scenario.intervalMs + scenario.intervalMs / scenario.subWindows;
        for (const time of refused) {
          const recent = admitted.filter((at) => at <= time && at > time - horizon).length;
          expect(recent).toBeGreaterThanOrEqual(scenario.limit);
        }
      }),
      { numRuns: 500 },
    );
  });
});
