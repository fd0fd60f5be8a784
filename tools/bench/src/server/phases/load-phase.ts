import { loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Summary } from '@fleet-telemetry/vehicle-sim';
import type { LatencyPercentiles, LoadEvents, LoadMark, LoadProtocol, LoadSettings } from '../load/protocol.js';
import { Child } from '../processes.js';
import { noStalls, type Stalls } from '../stall-window.js';
import type { TargetKind, TargetStats } from '../target/protocol.js';
import {
  loadCpu,
  scripts,
  sleep,
  startTarget,
  stopTarget,
  targetNames,
  type BenchEnvironment,
  type StartedTarget,
} from './environment.js';

/** `max`: as much as the server takes; `half`: latency at half of that; `calibration`: finds `max`'s rate. */
export type LoadPurpose = 'calibration' | 'max' | 'half';

export interface LoadPhaseSpec {
  readonly kind: TargetKind;
  readonly purpose: LoadPurpose;
  /** Shown in progress lines, e.g. `run 2/3`. */
  readonly label: string;
  readonly vehicles: number;
  /** Frames per second per vehicle. */
  readonly ratePerVehicle: number;
  /** Steady state before the window opens. */
  readonly settleMs: number;
  readonly windowMs: number;
  readonly seed: number;
  /**
   * Write a CPU profile of the server during the window to this file, and one of the simulator
   * beside it (`<name>-simulator.cpuprofile`).
   */
  readonly profileFile?: string | undefined;
}

export interface LoadPhaseResult {
  readonly kind: TargetKind;
  readonly purpose: LoadPurpose;
  readonly vehicles: number;
  readonly offeredPerSecond: number;
  /** Rates over the measurement window. */
  readonly sentPerSecond: number;
  readonly ackedPerSecond: number;
  readonly windowMs: number;
  readonly rampMs: number;
  /** CPU time over wall time in the window: 1 is one core fully busy. */
  readonly serverCpuShare: number;
  readonly loadCpuShare: number;
  /**
   * Time each process's main thread was runnable but waited for its core (other processes had
   * it), over wall time in the window; NaN where Linux does not report it. Latency measured while
   * these are high is partly the scheduler's.
   */
  readonly serverWaitShare: number;
  readonly loadWaitShare: number;
  /** Event-loop delay and GC pauses of each process over the window: where an ack latency tail came from. */
  readonly serverStalls: Stalls;
  readonly loadStalls: Stalls;
  /** Server CPU time per acked record, µs. */
  readonly serverCpuUsPerRecord: number;
  readonly latency: LatencyPercentiles;
  /** Frames sent and not yet answered when the window closed. */
  readonly inFlightAtClose: number;
  /** One-minute load average of the machine when the window closed. */
  readonly loadAverage: number;
  /** What went wrong (dropped sockets, error answers, unanswered frames); empty when nothing did. */
  readonly problems: readonly string[];
}

/**
 * One server, one simulator fleet: ramps the fleet up, lets it settle, measures over a window,
 * then stops the simulator and checks that every frame was answered.
 */
export async function runLoadPhase(spec: LoadPhaseSpec, env: BenchEnvironment): Promise<LoadPhaseResult> {
  const target = await startTarget(spec.kind, env);
  try {
    const settings: LoadSettings = {
      url: target.url,
      pkiDir: env.pkiDir,
      vehicles: spec.vehicles,
      rate: spec.ratePerVehicle,
      connectRate: env.connectRate,
      handshakeTimeoutMs: env.handshakeTimeoutMs,
      drainTimeoutMs: env.drainTimeoutMs,
      maxBufferedBytes: env.maxBufferedBytes,
      seed: spec.seed,
    };
    const load = new Child<LoadProtocol, LoadEvents>({
      label: 'simulator',
      script: scripts.load,
      settings,
      cpu: env.pin ? loadCpu : undefined,
      sources: env.sources,
    });
    try {
      return await measure(spec, env, target, load);
    } finally {
      await load.kill();
    }
  } finally {
    await stopTarget(target);
  }
}

/** Where the simulator's profile of a window goes: beside the server's. */
export function simulatorProfileFile(serverProfileFile: string): string {
  return join(dirname(serverProfileFile), `${basename(serverProfileFile, '.cpuprofile')}-simulator.cpuprofile`);
}

async function measure(
  spec: LoadPhaseSpec,
  env: BenchEnvironment,
  target: StartedTarget,
  load: Child<LoadProtocol, LoadEvents>,
): Promise<LoadPhaseResult> {
  const title = `${targetNames[spec.kind]} ${spec.purpose} ${spec.label}`;
  const stopProgress = showProgress(title, spec, target, load, env.log);
  try {
    const rampStarted = performance.now();
    // The simulator caps handshakes in progress at the connect rate, so the ramp takes at least
    // vehicles / rate. A busy machine takes far longer: bound it by what a server would need at a
    // few connections per second.
    const rampTimeoutMs = 120_000 + spec.vehicles * 300;
    await load.waitFor(
      'progress',
      (progress) => {
        if (progress.connectFailures > 0) throw new Error(`${title}: ${progress.connectFailures} vehicles could not connect`);
        return progress.connected === spec.vehicles;
      },
      rampTimeoutMs,
      `connection of all ${spec.vehicles} vehicles`,
    );
    const rampMs = performance.now() - rampStarted;
    await sleep(spec.settleMs);

    if (spec.profileFile !== undefined) {
      await target.child.request('profile', { action: 'start' }, 10_000);
      await load.request('profile', { action: 'start' }, 10_000);
    }
    const open = await load.request('mark', { window: 'open' }, 10_000);
    await target.child.request('stalls', { window: 'open' }, 10_000);
    const serverOpen = await target.child.request('stats', { gc: false, metrics: false }, 10_000);
    await sleep(spec.windowMs);
    const close = await load.request('mark', { window: 'close' }, 10_000);
    const serverStalls = await target.child.request('stalls', { window: 'close' }, 10_000);
    const serverClose = await target.child.request('stats', { gc: false, metrics: false }, 10_000);
    if (spec.profileFile !== undefined) {
      await target.child.request('profile', { action: 'stop', file: spec.profileFile }, 60_000);
      await load.request('profile', { action: 'stop', file: simulatorProfileFile(spec.profileFile) }, 60_000);
    }
    const loadAverage = loadavg()[0] ?? 0;

    const summary = await load.request('stop', null, env.drainTimeoutMs + 60_000);
    return result(spec, { open, close, serverOpen, serverClose, serverStalls, summary, rampMs, loadAverage });
  } finally {
    stopProgress();
  }
}

interface Readings {
  readonly open: LoadMark;
  readonly close: LoadMark;
  readonly serverOpen: TargetStats;
  readonly serverClose: TargetStats;
  readonly serverStalls?: Stalls | undefined;
  readonly summary: Summary;
  readonly rampMs: number;
  readonly loadAverage: number;
}

/** Rates and shares over the window, and every way the phase went wrong. */
export function result(spec: LoadPhaseSpec, readings: Readings): LoadPhaseResult {
  const { open, close, serverOpen, serverClose } = readings;
  const windowMs = close.elapsedMs - open.elapsedMs;
  const serverWindowMs = serverClose.atMs - serverOpen.atMs;
  const acked = close.acked - open.acked;
  const serverCpuUs = serverClose.cpuUs - serverOpen.cpuUs;
  return {
    kind: spec.kind,
    purpose: spec.purpose,
    vehicles: spec.vehicles,
    offeredPerSecond: spec.ratePerVehicle * spec.vehicles,
    sentPerSecond: ((close.sent - open.sent) * 1000) / windowMs,
    ackedPerSecond: (acked * 1000) / windowMs,
    windowMs,
    rampMs: readings.rampMs,
    serverCpuShare: serverCpuUs / 1000 / serverWindowMs,
    loadCpuShare: (close.cpuUs - open.cpuUs) / 1000 / windowMs,
    serverWaitShare: difference(serverOpen.runQueueWaitUs, serverClose.runQueueWaitUs) / 1000 / serverWindowMs,
    loadWaitShare: difference(open.runQueueWaitUs, close.runQueueWaitUs) / 1000 / windowMs,
    serverStalls: readings.serverStalls ?? noStalls,
    loadStalls: close.stalls ?? noStalls,
    serverCpuUsPerRecord: acked > 0 ? serverCpuUs / acked : Number.NaN,
    latency: close.latency ?? { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
    inFlightAtClose: close.inFlight,
    loadAverage: readings.loadAverage,
    problems: problems(spec, readings),
  };
}

/** `to - from`, or NaN when either reading is missing. */
function difference(from: number | undefined, to: number | undefined): number {
  return from === undefined || to === undefined ? Number.NaN : to - from;
}

function problems(spec: LoadPhaseSpec, { open, close, summary }: Readings): string[] {
  const found: string[] = [];
  if (open.connected < spec.vehicles || close.connected < spec.vehicles) {
    found.push(`only ${Math.min(open.connected, close.connected)} of ${spec.vehicles} vehicles connected during the window`);
  }
  if (close.latency === undefined || close.latency.count === 0) found.push('no ack latency was recorded in the window');
  if (summary.disconnects > 0) found.push(`the server closed ${summary.disconnects} sockets`);
  if (summary.connectFailures > 0) found.push(`${summary.connectFailures} connections failed`);
  if (summary.errors > 0) found.push(`${summary.errors} frames answered with an error`);
  if (summary.unanswered > 0) found.push(`${summary.unanswered} frames never answered`);
  const unexpected = summary.unknownTxid + summary.duplicates + summary.topicMismatches + summary.malformed;
  if (unexpected > 0) found.push(`${unexpected} unexpected answers`);
  return found;
}

/** A progress line every second: where the ramp is, the ack rate, and how busy both processes are. */
function showProgress(
  title: string,
  spec: LoadPhaseSpec,
  target: StartedTarget,
  load: Child<LoadProtocol, LoadEvents>,
  log: (line: string) => void,
): () => void {
  let previous: { at: number; acked: number; loadCpuUs: number; serverCpuUs: number; serverAtMs: number } | undefined;
  let latest: LoadEvents['progress'] | undefined;
  const unsubscribe = load.on('progress', (progress) => {
    latest = progress;
  });
  const timer = setInterval(() => {
    const progress = latest;
    if (progress === undefined || !target.child.running) return;
    target.child.request('stats', { gc: false, metrics: false }, 5_000).then(
      (server) => {
        const now = { at: progress.elapsedMs, acked: progress.acked, loadCpuUs: progress.cpuUs, serverCpuUs: server.cpuUs, serverAtMs: server.atMs };
        const last = previous;
        previous = now;
        if (last === undefined || now.at <= last.at) return;
        const seconds = (now.at - last.at) / 1000;
        const serverShare = (now.serverCpuUs - last.serverCpuUs) / 1000 / (now.serverAtMs - last.serverAtMs);
        const loadShare = (now.loadCpuUs - last.loadCpuUs) / 1000 / (now.at - last.at);
        log(
          `  ${title.padEnd(26)} ${(progress.elapsedMs / 1000).toFixed(0).padStart(4)}s ` +
            `${progress.phase.padEnd(10)} connected ${String(progress.connected).padStart(5)}/${spec.vehicles}  ` +
            `acked ${Math.round((now.acked - last.acked) / seconds).toLocaleString('en-US').padStart(7)}/s  ` +
            `in flight ${progress.inFlight.toLocaleString('en-US').padStart(8)}  ` +
            `server cpu ${percent(serverShare)}  simulator cpu ${percent(loadShare)}`,
        );
      },
      () => undefined,
    );
  }, 1_000);
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`.padStart(4);
}
