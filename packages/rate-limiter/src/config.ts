import { RateLimiterOptionsError, type Clock } from './options.js';
import { SlidingWindowRateLimiter } from './rate-limiter.js';

/** The `rate_limit` section of the server configuration, as written in config.json. */
export interface RateLimitConfig {
  readonly enabled?: boolean;
  readonly message_limit?: number;
  /** Seconds. */
  readonly message_interval_time?: number;
}

/**
 * A per-socket limiter from the `rate_limit` configuration section. The interval is converted
 * from seconds to milliseconds here, so the window is the configured one (the reference server
 * leaves it at zero and never limits). A missing section or `enabled: false` limits nothing.
 */
export function rateLimiterFromConfig<Key = string>(
  config: RateLimitConfig | undefined,
  options: { readonly now?: Clock; readonly subWindows?: number } = {},
): SlidingWindowRateLimiter<Key> {
  if (!config?.enabled) return new SlidingWindowRateLimiter<Key>({ enabled: false, limit: 0, intervalMs: 0 });
  const { message_limit: limit, message_interval_time: seconds } = config;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new RateLimiterOptionsError(`rate_limit.message_limit must be a positive integer, got ${String(limit)}`);
  }
  const intervalMs = typeof seconds === 'number' ? Math.round(seconds * 1000) : Number.NaN;
  if (!Number.isFinite(intervalMs) || intervalMs < 1) {
    throw new RateLimiterOptionsError(
      `rate_limit.message_interval_time must be a positive number of seconds, got ${String(seconds)}`,
    );
  }
  return new SlidingWindowRateLimiter<Key>({ ...options, limit, intervalMs });
}
