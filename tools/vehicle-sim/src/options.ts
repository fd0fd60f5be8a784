import type { Logger } from 'pino';
import { defaultMix, parseMix, type Mix } from './mix.js';
import type { VehicleIdentity } from './vehicle.js';

export type NetworkInterface = 'wifi' | 'cellular';

export interface SimulationOptions {
  /** Server URL (default `wss://localhost:4443`, the dev server). */
  readonly url?: string;
  /** Number of simulated vehicles, each with its own certificate (default 1). */
  readonly vehicles?: number;
  /** Frames per second per vehicle (default 1). */
  readonly rate?: number;
  /** Frames each vehicle sends. With neither this nor `durationSeconds`, vehicles send until `signal` aborts. */
  readonly frames?: number;
  /** How long each vehicle sends, from its connection on: `rate × durationSeconds` frames. */
  readonly durationSeconds?: number;
  /** Share of each record type, e.g. `V=8,alerts=1,errors=1` (the default). */
  readonly mix?: Mix | string;
  /** Development PKI directory, created or extended as needed (default `.dev/pki` at the repository root). */
  readonly pkiDir?: string;
  /** Use these client certificates instead of the development PKI (one vehicle each). */
  readonly identities?: readonly VehicleIdentity[];
  /** PEM file of the CA that signed the server certificate (default: the PKI's root CA). */
  readonly caFile?: string;
  /** PEM of the server CA, instead of `caFile`. */
  readonly ca?: string | Buffer;
  /** Verify the server certificate (default true). */
  readonly rejectUnauthorized?: boolean;
  /** The X-Network-Interface header (default wifi). */
  readonly networkInterface?: NetworkInterface;
  /** New connections per second, to ramp large fleets (default 100). */
  readonly connectRate?: number;
  /** How long to wait for answers to frames still in flight once sending is over (default 5000 ms). */
  readonly timeoutMs?: number;
  /** The Version header: the vehicle's firmware (default 2024.44.25.3). */
  readonly clientVersion?: string;
  readonly userAgent?: string;
  /** Seed for payload values (default: random). */
  readonly seed?: number;
  /** Stops connecting and sending; the run then waits for answers and resolves with its summary. */
  readonly signal?: AbortSignal;
  /** Called every `progressIntervalMs` while the run goes on. */
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
  readonly logger?: Logger;
  /** Scheduler tick (default 5 ms). */
  readonly tickMs?: number;
  readonly handshakeTimeoutMs?: number;
  /** Socket write backlog above which a vehicle pauses (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /**
   * Frames one vehicle may have unanswered; at the limit it waits for answers (default: no limit).
   * A bound makes an overloaded server show as fewer frames sent instead of ever longer queues.
   */
  readonly maxInFlight?: number;
  /** Vehicles send only once every connection of the ramp is open, all starting together (default false). */
  readonly startTogether?: boolean;
  /** How long a pre-encoded payload is reused before it is rebuilt with fresh values (default 1000 ms). */
  readonly payloadRefreshMs?: number;
}

/** Connecting: the ramp is still opening sockets; draining: all sent, waiting for the last answers. */
export type Phase = 'connecting' | 'sending' | 'draining';

/** A live view of a run, handed to `onProgress`. Rates are over the last interval. */
export interface Progress {
  readonly phase: Phase;
  readonly elapsedMs: number;
  readonly vehicles: number;
  readonly connected: number;
  readonly connectFailures: number;
  readonly sent: number;
  readonly acked: number;
  readonly errors: number;
  readonly inFlight: number;
  readonly sentPerSecond: number;
  readonly ackedPerSecond: number;
  /** Ack latency so far, ms. */
  readonly p50: number;
  readonly p99: number;
}

export interface TopicCounts {
  readonly sent: number;
  readonly acked: number;
  readonly errors: number;
}

export interface Summary {
  readonly url: string;
  readonly vehicles: number;
  /** Vehicles whose socket opened. */
  readonly connected: number;
  readonly connectFailures: number;
  /** Why connections failed, counted by message. */
  readonly connectFailureReasons: Readonly<Record<string, number>>;
  /** Sockets the server closed before the run ended. */
  readonly disconnects: number;
  readonly sent: number;
  readonly acked: number;
  /** Frames answered with the server's error response. */
  readonly errors: number;
  /** Frames without an answer when the run ended. */
  readonly unanswered: number;
  /** Answers whose txid this vehicle never sent. */
  readonly unknownTxid: number;
  /** Answers for a frame that was already answered. */
  readonly duplicates: number;
  /** Acks whose topic differs from the frame's. */
  readonly topicMismatches: number;
  /** Answers that are not an envelope, or neither an ack nor an error response. */
  readonly malformed: number;
  readonly byTopic: Readonly<Record<string, TopicCounts>>;
  /** Requested frames per second per vehicle. */
  readonly targetRate: number;
  /** Mean over vehicles of each one's frames per second while it was sending. */
  readonly achievedRatePerVehicle: number;
  /** All frames over the whole sending window (first frame to last, including the connection ramp). */
  readonly throughput: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly p999: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly durationMs: number;
  readonly sendingMs: number;
  /** CPU time of this process during the run (includes anything else running in it). */
  readonly cpuMs: { readonly user: number; readonly system: number };
  /** True when every vehicle connected and every frame was acked. */
  readonly ok: boolean;
}

export interface ResolvedOptions {
  readonly url: string;
  readonly vehicles: number;
  readonly rate: number;
  readonly framesPerVehicle: number;
  readonly mix: Mix;
  readonly networkInterface: NetworkInterface;
  readonly connectRate: number;
  readonly timeoutMs: number;
  readonly clientVersion: string;
  readonly userAgent: string;
  readonly seed: number;
  readonly progressIntervalMs: number;
  readonly tickMs: number;
  readonly handshakeTimeoutMs: number;
  readonly maxBufferedBytes: number;
  readonly maxInFlight: number;
  readonly startTogether: boolean;
  readonly payloadRefreshMs: number;
  readonly rejectUnauthorized: boolean;
}

export const defaultUrl = 'wss://localhost:4443';
export const networkInterfaces: readonly NetworkInterface[] = ['wifi', 'cellular'];

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 0)) throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
  return value;
}

/** Defaults and validation; throws RangeError with a message fit for a user. */
export function resolveOptions(options: SimulationOptions): ResolvedOptions {
  const rate = positive('rate', options.rate ?? 1);
  const vehicles = options.identities?.length ?? nonNegativeInteger('vehicles', options.vehicles ?? 1);
  if (options.identities && options.vehicles !== undefined && options.vehicles !== options.identities.length) {
    throw new RangeError(`vehicles (${options.vehicles}) differs from the ${options.identities.length} identities given`);
  }
  if (options.frames !== undefined && options.durationSeconds !== undefined) {
    throw new RangeError('give frames or durationSeconds, not both');
  }
  let framesPerVehicle = Number.POSITIVE_INFINITY;
  if (options.frames !== undefined) framesPerVehicle = nonNegativeInteger('frames', options.frames);
  if (options.durationSeconds !== undefined) {
    framesPerVehicle = Math.round(rate * positive('duration', options.durationSeconds));
  }
  const url = options.url ?? defaultUrl;
  if (!/^wss?:\/\//.test(url)) throw new RangeError(`url must start with wss:// or ws://, got ${url}`);
  const networkInterface = options.networkInterface ?? 'wifi';
  if (!networkInterfaces.includes(networkInterface)) {
    throw new RangeError(`network interface must be one of ${networkInterfaces.join(', ')}, got ${networkInterface}`);
  }
  const mix = typeof options.mix === 'string' ? parseMix(options.mix) : (options.mix ?? defaultMix);
  return {
    url,
    vehicles,
    rate,
    framesPerVehicle,
    mix,
    networkInterface,
    connectRate: positive('connect rate', options.connectRate ?? 100),
    timeoutMs: nonNegativeInteger('timeout', options.timeoutMs ?? 5_000),
    clientVersion: options.clientVersion ?? '2024.44.25.3',
    userAgent: options.userAgent ?? 'fleet-telemetry-sim/0.1.0',
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
    progressIntervalMs: positive('progress interval', options.progressIntervalMs ?? 1_000),
    tickMs: positive('tick', options.tickMs ?? 5),
    handshakeTimeoutMs: positive('handshake timeout', options.handshakeTimeoutMs ?? 10_000),
    maxBufferedBytes: positive('max buffered bytes', options.maxBufferedBytes ?? 1024 * 1024),
    maxInFlight: options.maxInFlight === undefined ? Number.POSITIVE_INFINITY : positive('max in flight', options.maxInFlight),
    startTogether: options.startTogether ?? false,
    payloadRefreshMs: positive('payload refresh', options.payloadRefreshMs ?? 1_000),
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  };
}
