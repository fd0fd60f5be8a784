import { constants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

/** How long a process could not run its callbacks over a window, and how much of that was GC. */
export interface Stalls {
  /** Event-loop delay percentiles, ms: how late a 10 ms timer ran (0 when nothing was sampled). */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** Garbage-collection pauses of the main thread: their sum, the longest, and how many were mark-compact. */
  readonly gcPauseMs: number;
  readonly gcMaxPauseMs: number;
  readonly majorGcs: number;
}

export const noStalls: Stalls = { loopDelayP99Ms: 0, loopDelayMaxMs: 0, gcPauseMs: 0, gcMaxPauseMs: 0, majorGcs: 0 };

const nanosPerMs = 1e6;

/**
 * Watches the process's own event loop and GC between `open()` and `close()`. Ack latency counts
 * both ends' stalls: a server that was quick to answer still shows a slow ack when the simulator
 * was in a GC pause when it arrived. Both processes run one, so a tail can be placed.
 */
export class StallWindow {
  #delay: IntervalHistogram | undefined;
  #observer: PerformanceObserver | undefined;
  #gcPauseMs = 0;
  #gcMaxPauseMs = 0;
  #majorGcs = 0;

  open(): void {
    this.#stop();
    this.#gcPauseMs = 0;
    this.#gcMaxPauseMs = 0;
    this.#majorGcs = 0;
    this.#delay = monitorEventLoopDelay({ resolution: 10 });
    this.#delay.enable();
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        this.#gcPauseMs += entry.duration;
        this.#gcMaxPauseMs = Math.max(this.#gcMaxPauseMs, entry.duration);
        const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.#majorGcs += 1;
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** The stalls since `open()`; zeros when it was not opened. */
  close(): Stalls {
    const delay = this.#delay;
    if (delay === undefined) return noStalls;
    const stalls: Stalls = {
      loopDelayP99Ms: delay.count > 0 ? delay.percentile(99) / nanosPerMs : 0,
      loopDelayMaxMs: delay.count > 0 ? delay.max / nanosPerMs : 0,
      gcPauseMs: this.#gcPauseMs,
      gcMaxPauseMs: this.#gcMaxPauseMs,
      majorGcs: this.#majorGcs,
    };
    this.#stop();
    return stalls;
  }

  #stop(): void {
    this.#delay?.disable();
    this.#delay = undefined;
    this.#observer?.disconnect();
    this.#observer = undefined;
  }
}
