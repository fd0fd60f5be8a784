import type { Summary } from '@fleet-telemetry/vehicle-sim';
import type { Stalls } from '../stall-window.js';
import type { ProfileParams } from '../window-profiler.js';

/** How the benchmark drives the vehicle simulator in the load process. */
export interface LoadSettings {
  readonly url: string;
  readonly pkiDir: string;
  readonly vehicles: number;
  /** Frames per second per vehicle. */
  readonly rate: number;
  readonly connectRate: number;
  readonly handshakeTimeoutMs: number;
  /** How long to wait, once stopped, for the answers to frames in flight. */
  readonly drainTimeoutMs: number;
  /** Socket backlog above which a vehicle holds back (keeps an overloaded run's memory bounded). */
  readonly maxBufferedBytes: number;
  readonly seed: number;
}

export interface LatencyPercentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** The simulator's counters at one progress tick, and the load process's CPU time then. */
export interface LoadSnapshot {
  readonly elapsedMs: number;
  readonly connected: number;
  readonly connectFailures: number;
  readonly sent: number;
  readonly acked: number;
  readonly errors: number;
  readonly inFlight: number;
  /** User + system CPU time of the load process, µs. */
  readonly cpuUs: number;
  /** Time the load process's main thread waited for a CPU while runnable, µs (absent where Linux does not report it). */
  readonly runQueueWaitUs?: number | undefined;
}

export interface LoadMark extends LoadSnapshot {
  /** Ack latencies recorded since the window opened (on `close`). */
  readonly latency?: LatencyPercentiles;
  /** The load process's own event-loop delay and GC pauses since the window opened (on `close`). */
  readonly stalls?: Stalls;
}

export type LoadProtocol = {
  /** Opens or closes the measurement window at the simulator's next progress tick. */
  mark: { params: { readonly window: 'open' | 'close' }; result: LoadMark };
  /** Stops sending, waits for the answers in flight, and returns the run's summary. */
  /** CPU profile of the simulator's main thread between `start` and `stop`, written as a `.cpuprofile`. */
  profile: { params: ProfileParams; result: null };
  stop: { params: null; result: Summary };
};

export type LoadEvents = {
  progress: LoadSnapshot & { readonly phase: 'connecting' | 'sending' | 'draining' };
};
