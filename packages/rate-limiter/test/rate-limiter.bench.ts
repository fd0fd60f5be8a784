import { bench, describe } from 'vitest';
import { SlidingWindowRateLimiter } from '../src/index.js';

// A frame every 10 µs of simulated time against 1000 frames per 60 s: mostly refusals after the
// first burst, with the window sliding every few thousand calls.
function simulatedClock(stepMs = 0.01): () => number {
  let time = 0;
  return () => (time += stepMs);
}

describe('tryAcquire', () => {
  const byKey = new SlidingWindowRateLimiter({ limit: 1000, intervalMs: 60_000, now: simulatedClock() });
  const keys = Array.from({ length: 10_000 }, (_, index) => `socket-${index}`);
  let next = 0;
  bench('map lookup, 10k keys', () => {
    byKey.tryAcquire(keys[next++ % keys.length]!);
  });

  const handle = new SlidingWindowRateLimiter({ limit: 1000, intervalMs: 60_000, now: simulatedClock() }).forKey('s');
  bench('per-socket handle', () => {
    handle.tryAcquire();
  });

  const realClock = new SlidingWindowRateLimiter({ limit: 1_000_000_000, intervalMs: 60_000 }).forKey('s');
  bench('per-socket handle, performance.now(), always admitted', () => {
    realClock.tryAcquire();
  });
});
