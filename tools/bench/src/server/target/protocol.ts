/** What the benchmark asks a server child, and what the child reports. */
import type { Stalls } from '../stall-window.js';
import type { ProfileParams } from '../window-profiler.js';

/** The two servers of a run: ours, and the bare echo ceiling over the same TLS setup. */
export type TargetKind = 'telemetry' | 'echo';

export interface TargetSettings {
  readonly kind: TargetKind;
  /** The development PKI: server certificate and client CA chain. */
  readonly pkiDir: string;
  readonly host: string;
  /** Telemetry server only: ack each record once the no-op sink confirmed it (reliable-ack path). */
  readonly reliableAck: boolean;
}

export interface TargetStats {
  /** `process.hrtime` in ms, to turn CPU time into a share of the wall clock. */
  readonly atMs: number;
  /** User + system CPU time of the process, µs. */
  readonly cpuUs: number;
  /** Time the main thread waited for a CPU while runnable, µs (absent where Linux does not report it). */
  readonly runQueueWaitUs?: number | undefined;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  /** Off-heap memory owned by JS objects (Buffers and ArrayBuffers included). */
  readonly externalBytes: number;
  /** Sockets the server has registered (the transport's registry, or the ws server's clients). */
  readonly connections: number;
  /** The `num_connections` gauge as a Prometheus scrape would read it (telemetry server only). */
  readonly numConnectionsMetric?: number | undefined;
  /** Sum of `record_total` over record types (telemetry server only). */
  readonly recordTotalMetric?: number | undefined;
}

// Type aliases, not interfaces: they fit the `Protocol` record while keeping method names checked.
export type TargetProtocol = {
  /**
   * With `gc`, collects garbage (twice) first, so heap figures hold live objects only. With
   * `metrics`, reads the metrics as a scrape would (not every second: scrapes cost the server).
   */
  stats: { params: { readonly gc: boolean; readonly metrics: boolean }; result: TargetStats };
  /** CPU profile of what happens between `start` and `stop`, written as a `.cpuprofile`. */
  profile: { params: ProfileParams; result: null };
  /** Starts watching event-loop delay and GC pauses (`open`), or returns what was seen since (`close`). */
  stalls: { params: { readonly window: 'open' | 'close' }; result: Stalls };
  stop: { params: null; result: null };
};

export type TargetEvents = {
  ready: { readonly port: number };
};

/** A running server inside the child. */
export interface RunningTarget {
  readonly port: number;
  connections(): number;
  /** Gauges and counters the server exports, read as a scrape would. */
  metrics(): Promise<{ numConnections?: number; recordTotal?: number }>;
  close(): Promise<void>;
}
