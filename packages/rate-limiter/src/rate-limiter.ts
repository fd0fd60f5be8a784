import { resolveShape, type RateLimiterOptions, type WindowShape } from './options.js';
import { SlidingWindow } from './sliding-window.js';

/** One key's view of a limiter: keep it per socket to skip the map lookup on every frame. */
export interface RateLimitHandle {
  /** `at`: the event time on the limiter's clock, when the caller already has it. */
  tryAcquire(at?: number): boolean;
  reset(): void;
}

const unlimited: RateLimitHandle = { tryAcquire: () => true, reset: () => {} };

/**
 * A sliding-window rate limiter: at most `limit` acquisitions per key in any window of
 * `intervalMs`, with constant memory per key (see {@link SlidingWindow} for the guarantee).
 */
export class SlidingWindowRateLimiter<Key = string> {
  readonly enabled: boolean;
  readonly #shape: WindowShape | undefined;
  readonly #windows = new Map<Key, SlidingWindow>();

  constructor(options: RateLimiterOptions) {
    this.enabled = options.enabled ?? true;
    // A disabled limiter keeps no state, so its numbers need not be valid (configs often omit them).
    this.#shape = this.enabled ? resolveShape(options) : undefined;
  }

  /** Admits one event for `key` when its window has room; `at` as in {@link RateLimitHandle}. */
  tryAcquire(key: Key, at?: number): boolean {
    return this.#shape ? this.#window(key, this.#shape).tryAcquire(at) : true;
  }

  /**
   * The handle of `key`, creating its state when needed. The handle keeps working after
   * {@link delete}, but on state the limiter no longer tracks.
   */
  forKey(key: Key): RateLimitHandle {
    return this.#shape ? this.#window(key, this.#shape) : unlimited;
  }

  /** Forgets the admissions of `key` (its window starts empty). */
  reset(key: Key): void {
    this.#windows.get(key)?.reset();
  }

  /** Releases the state of `key`, e.g. when its socket closes. */
  delete(key: Key): boolean {
    return this.#windows.delete(key);
  }

  clear(): void {
    this.#windows.clear();
  }

  /** Keys with state. */
  get size(): number {
    return this.#windows.size;
  }

  #window(key: Key, shape: WindowShape): SlidingWindow {
    let window = this.#windows.get(key);
    if (!window) {
      window = new SlidingWindow(shape);
      this.#windows.set(key, window);
    }
    return window;
  }
}

/** A single window without a map: for one socket, one client, one anything. */
export function createSlidingWindow(options: Omit<RateLimiterOptions, 'enabled'>): SlidingWindow {
  return new SlidingWindow(resolveShape(options));
}
