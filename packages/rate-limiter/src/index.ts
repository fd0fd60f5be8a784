export { SlidingWindowRateLimiter, createSlidingWindow, type RateLimitHandle } from './rate-limiter.js';
export type { SlidingWindow } from './sliding-window.js';
export { rateLimiterFromConfig, type RateLimitConfig } from './config.js';
export { RateLimiterOptionsError, defaultSubWindows, type Clock, type RateLimiterOptions } from './options.js';
