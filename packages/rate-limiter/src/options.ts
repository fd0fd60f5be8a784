/** A monotonic clock in milliseconds. */
export type Clock = () => number;

export interface RateLimiterOptions {
  /** Most acquisitions allowed in any window of `intervalMs` (a positive integer). */
  readonly limit: number;
  /** Window length in milliseconds (a positive integer). */
  readonly intervalMs: number;
  /**
   * Slots the window is tracked in (default 10). More slots mean a window closer to exactly
   * `intervalMs` at the cost of one 32-bit counter per slot per key; see the README.
   */
  readonly subWindows?: number;
  /** When false, every acquisition succeeds and no state is kept (default true). */
  readonly enabled?: boolean;
  /** Defaults to `performance.now()`: immune to wall-clock changes. */
  readonly now?: Clock;
}

/** Validated, immutable settings shared by every key of one limiter. */
export interface WindowShape {
  readonly limit: number;
  readonly intervalMs: number;
  readonly subWindows: number;
  readonly now: Clock;
}

export const defaultSubWindows = 10;
const maxCount = 0xffff_ffff;
const maxSubWindows = 1000;

export class RateLimiterOptionsError extends RangeError {
  override readonly name = 'RateLimiterOptionsError';
}

export function resolveShape(options: RateLimiterOptions): WindowShape {
  const { limit, intervalMs, subWindows = defaultSubWindows, now = () => performance.now() } = options;
  requireInteger('limit', limit, 1, maxCount);
  requireInteger('intervalMs', intervalMs, 1, Number.MAX_SAFE_INTEGER);
  requireInteger('subWindows', subWindows, 1, Math.min(maxSubWindows, intervalMs));
  if (typeof now !== 'function') throw new RateLimiterOptionsError('now must be a function returning milliseconds');
  return { limit, intervalMs, subWindows, now };
}

function requireInteger(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RateLimiterOptionsError(`${name} must be an integer in ${min}..${max}, got ${String(value)}`);
  }
}
