import type { LoadEvents, LoadProtocol, LoadSettings } from '../server/load/protocol.js';
import { scripts, sleep } from '../server/phases/environment.js';
import { Child } from '../server/processes.js';
import { CpuWindow } from '../process-cpu.js';
import { startServer, type RunningServer } from './server-process.js';

export interface PhaseSpec {
  readonly workers: number;
  /** Shown in progress lines: `run 2/3`, `calibration step 1`. */
  readonly label: string;
  readonly run: number;
  readonly vehicles: number;
  readonly ratePerVehicle: number;
  readonly connectRate: number;
  readonly settleMs: number;
  readonly windowMs: number;
  readonly port: number;
  readonly pkiDir: string;
  readonly tls: { readonly serverCert: string; readonly serverKey: string; readonly clientCaChain: string };
  readonly workDir: string;
}

export interface PhaseResult {
  readonly workers: number;
  readonly run: number;
  /** Frames per second offered per vehicle, and by the whole fleet. */
  readonly ratePerVehicle: number;
  readonly offeredPerSecond: number;
  /** Acked records per second over the window. */
  readonly ackedPerSecond: number;
  readonly sentPerSecond: number;
  /** Ack latency percentiles of the acks inside the window, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Cores each process kept busy over the window: `primary` (with workers), `worker 1..N` or `server`, `simulator`. */
  readonly cores: Readonly<Record<string, number>>;
  /** The server's exit code after SIGTERM (0: every worker shut down cleanly). */
  readonly exitCode: number | null;
  /** What went wrong: dropped vehicles, errors, unanswered frames, an unclean exit; empty when nothing did. */
  readonly problems: readonly string[];
}

const HANDSHAKE_TIMEOUT_MS = 30_000;
const DRAIN_TIMEOUT_MS = 60_000;
/** A vehicle with this much unsent data holds back: an overloaded server does not grow the simulator's memory. */
const MAX_BUFFERED_BYTES = 64 * 1024;

/**
 * One server with `workers` processes and one simulated fleet, both unpinned (the workers need
 * the cores): ramp up, settle, measure acked records, in-window ack latency and every process's
 * CPU over the window, stop the fleet, stop the server and check it exited 0.
 */
export async function runPhase(spec: PhaseSpec, log: (line: string) => void): Promise<PhaseResult> {
  const title = `${spec.workers} worker${spec.workers === 1 ? '' : 's'}, ${spec.label}`;
  const server = await startServer({
    workers: spec.workers,
    port: spec.port,
    tls: spec.tls,
    workDir: spec.workDir,
    name: `${spec.label.replace(/\W+/g, '-')}-${spec.workers}w`,
  });
  log(`[${title}] server pid ${server.pid}, serving pids ${server.workerPids.join(', ')}, log ${server.logFile}`);
  let exitCode: number | null = null;
  try {
    const settings: LoadSettings = {
      url: server.url,
      pkiDir: spec.pkiDir,
      vehicles: spec.vehicles,
      rate: spec.ratePerVehicle,
      connectRate: spec.connectRate,
      handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      seed: spec.run,
    };
    const load = new Child<LoadProtocol, LoadEvents>({ label: 'simulator', script: scripts.load, settings });
    try {
      const result = await measure(spec, title, server, load, log);
      exitCode = await server.stop();
      const problems = exitCode === 0 ? result.problems : [...result.problems, `the server exited with ${exitCode} after SIGTERM`];
      return { ...result, exitCode, problems };
    } finally {
      await load.kill();
    }
  } finally {
    await server.stop();
  }
}

async function measure(
  spec: PhaseSpec,
  title: string,
  server: RunningServer,
  load: Child<LoadProtocol, LoadEvents>,
  log: (line: string) => void,
): Promise<Omit<PhaseResult, 'exitCode'>> {
  let lastLogAt = Number.NEGATIVE_INFINITY;
  const stopProgress = load.on('progress', (progress) => {
    if (progress.elapsedMs < lastLogAt + 5_000) return;
    lastLogAt = progress.elapsedMs;
    log(
      `[${title}] ${(progress.elapsedMs / 1000).toFixed(0)}s ${progress.phase}: connected ${progress.connected}/${spec.vehicles}, ` +
        `acked ${progress.acked.toLocaleString('en-US')}, in flight ${progress.inFlight.toLocaleString('en-US')}`,
    );
  });
  try {
    await load.waitFor(
      'progress',
      (progress) => {
        if (progress.connectFailures > 0) throw new Error(`${title}: ${progress.connectFailures} vehicles could not connect`);
        return progress.connected === spec.vehicles;
      },
      120_000 + spec.vehicles * 300,
      `connection of all ${spec.vehicles} vehicles`,
    );
    await sleep(spec.settleMs);

    const pids: Record<string, number> = { simulator: load.pid ?? 0 };
    if (spec.workers === 1) pids.server = server.pid;
    else {
      pids.primary = server.pid;
      server.workerPids.forEach((pid, index) => (pids[`worker ${index + 1}`] = pid));
    }
    const cpu = new CpuWindow(pids);
    const open = await load.request('mark', { window: 'open' }, 10_000);
    cpu.start();
    await sleep(spec.windowMs);
    const close = await load.request('mark', { window: 'close' }, 10_000);
    const cores = cpu.stop();
    const summary = await load.request('stop', null, DRAIN_TIMEOUT_MS + 60_000);

    const seconds = (close.elapsedMs - open.elapsedMs) / 1000;
    const problems: string[] = [];
    if (summary.disconnects > 0) problems.push(`${summary.disconnects} vehicles were disconnected`);
    if (summary.errors > 0) problems.push(`${summary.errors} frames got an error response`);
    if (summary.unanswered > 0) problems.push(`${summary.unanswered} frames were never answered`);
    const result = {
      workers: spec.workers,
      run: spec.run,
      ratePerVehicle: spec.ratePerVehicle,
      offeredPerSecond: spec.ratePerVehicle * spec.vehicles,
      ackedPerSecond: (close.acked - open.acked) / seconds,
      sentPerSecond: (close.sent - open.sent) / seconds,
      p50Ms: close.latency?.p50 ?? 0,
      p99Ms: close.latency?.p99 ?? 0,
      cores,
      problems,
    };
    log(
      `[${title}] offered ${Math.round(spec.ratePerVehicle * spec.vehicles).toLocaleString('en-US')}/s, ` +
        `acked ${Math.round(result.ackedPerSecond).toLocaleString('en-US')}/s, p99 ${result.p99Ms.toFixed(1)} ms, ` +
        `cores ${Object.entries(cores)
          .map(([name, value]) => `${name} ${value.toFixed(2)}`)
          .join(', ')}`,
    );
    return result;
  } finally {
    stopProgress();
  }
}
