/**
 * Rate keeping. A vehicle's schedule is anchored at its start time: frame k is due at
 * `start + k / rate`. Computing the due count from the absolute elapsed time (instead of adding an
 * interval after every send) means timer lateness and event-loop stalls never accumulate into drift:
 * a late tick simply finds more frames due.
 */

/** Frames due `elapsedMs` after the schedule started, the first one at 0, capped at `limit`. */
export function framesDue(elapsedMs: number, ratePerSecond: number, limit = Number.POSITIVE_INFINITY): number {
  if (elapsedMs < 0 || ratePerSecond <= 0) return 0;
  return Math.min(limit, Math.floor((elapsedMs * ratePerSecond) / 1000) + 1);
}

/** When (ms after the start) frame `index` (0-based) is due. */
export function dueAt(index: number, ratePerSecond: number): number {
  return (index * 1000) / ratePerSecond;
}

/**
 * When a payload built at `builtAtMs` is rebuilt. The first one lives a random share of the period
 * (`random` in [0, 1)): vehicles that start together would otherwise rebuild all their payloads
 * in the same instant of every period, a burst no real fleet makes and one that stalls the
 * simulator, and so every ack it is timing, once per period.
 */
export function refreshDueAt(builtAtMs: number, periodMs: number, first: boolean, random: number): number {
  return builtAtMs + (first ? Math.max(random, Number.EPSILON) * periodMs : periodMs);
}

/** One vehicle's (or the connection ramp's) pacing state. */
export class Pacer {
  private sentCount = 0;

  constructor(
    readonly ratePerSecond: number,
    readonly startMs: number,
    readonly limit = Number.POSITIVE_INFINITY,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be > 0, got ${ratePerSecond}`);
  }

  get sent(): number {
    return this.sentCount;
  }

  get finished(): boolean {
    return this.sentCount >= this.limit;
  }

  /**
   * How many to send at `nowMs`, at most `maxBurst`: a process that fell behind catches up over
   * several ticks rather than flooding the socket at once.
   */
  due(nowMs: number, maxBurst = Number.POSITIVE_INFINITY): number {
    const behind = framesDue(nowMs - this.startMs, this.ratePerSecond, this.limit) - this.sentCount;
    return behind <= 0 ? 0 : Math.min(behind, maxBurst);
  }

  /** Frames due by `nowMs` but not sent yet. */
  lag(nowMs: number): number {
    return Math.max(0, framesDue(nowMs - this.startMs, this.ratePerSecond, this.limit) - this.sentCount);
  }

  recordSent(count = 1): void {
    this.sentCount += count;
  }
}
