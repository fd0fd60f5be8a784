import type { WindowShape } from './options.js';

/**
 * The state of one key: admitted counts in `subWindows + 1` slots of `intervalMs / subWindows`
 * each, a running total, and the index of the newest slot. Its size never depends on traffic.
 *
 * An acquisition is admitted while the total over the current slot and the `subWindows` slots
 * before it is below the limit. Those slots always cover the last `intervalMs`, so no window of
 * that length ever holds more than `limit` admissions; they cover at most `intervalMs / subWindows`
 * more, which is how much stricter than an exact sliding log this can be.
 */
export class SlidingWindow {
  readonly #shape: WindowShape;
  readonly #counts: Uint32Array;
  #total = 0;
  #newestSlot = Number.NEGATIVE_INFINITY;

  constructor(shape: WindowShape) {
    this.#shape = shape;
    this.#counts = new Uint32Array(shape.subWindows + 1);
  }

  /**
   * Admits one event when the window has room, and records it. `at` is the time of the event on
   * the limiter's clock; pass it when the caller has already read the clock.
   */
  tryAcquire(at: number = this.#shape.now()): boolean {
    const slot = this.#advance(at);
    if (this.#total >= this.#shape.limit) return false;
    const counts = this.#counts;
    const position = ringPosition(slot, counts.length);
    counts[position] = (counts[position] ?? 0) + 1;
    this.#total += 1;
    return true;
  }

  /** Admissions still counted against the window right now. */
  get used(): number {
    this.#advance(this.#shape.now());
    return this.#total;
  }

  /** Counters held for this key: `subWindows + 1`, whatever the traffic. */
  get slotCount(): number {
    return this.#counts.length;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
  }

  /** Moves the window to the current slot, forgetting slots that fell out; returns that slot. */
  #advance(at: number): number {
    const { subWindows, intervalMs } = this.#shape;
    const slot = Math.floor((at * subWindows) / intervalMs);
    if (!Number.isFinite(slot)) throw new TypeError('the rate limiter clock returned a non-finite time');
    const elapsed = slot - this.#newestSlot;
    // A clock that stands still or steps back keeps the current slot: never un-forget admissions.
    if (elapsed <= 0) return this.#newestSlot;
    const counts = this.#counts;
    if (elapsed >= counts.length) {
      counts.fill(0);
      this.#total = 0;
    } else {
      for (let step = 1; step <= elapsed; step += 1) {
        const position = ringPosition(this.#newestSlot + step, counts.length);
        this.#total -= counts[position] ?? 0;
        counts[position] = 0;
      }
    }
    this.#newestSlot = slot;
    return slot;
  }
}

function ringPosition(slot: number, size: number): number {
  const position = slot % size;
  return position < 0 ? position + size : position;
}
