import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { defaultPkiDir, loadPkiIdentities } from './identities.js';
import { maxTopics } from './in-flight.js';
import {
  resolveOptions,
  type Phase,
  type Progress,
  type ResolvedOptions,
  type SimulationOptions,
  type Summary,
  type TopicCounts,
} from './options.js';
import { Pacer } from './schedule.js';
import { RunStats } from './stats.js';
import { SimulatedVehicle, type VehicleIdentity, type VehicleSettings } from './vehicle.js';

/** How often the drain phase checks whether every answer is in. */
const drainPollMs = 10;

/**
 * Runs a fleet of simulated vehicles against a server and reports what came back. Connection and
 * sending failures are counted in the summary, not thrown; invalid options and an unusable PKI throw.
 */
export async function runSimulation(options: SimulationOptions = {}): Promise<Summary> {
  const resolved = resolveOptions(options);
  const logger = options.logger ?? pino({ level: 'silent' });
  const { identities, ca } = await resolveIdentities(options, resolved.vehicles);
  if (resolved.mix.length > maxTopics) throw new RangeError(`at most ${maxTopics} topics in a mix`);

  const stats = new RunStats(resolved.mix.length);
  const settings: VehicleSettings = {
    url: resolved.url,
    ca,
    rejectUnauthorized: resolved.rejectUnauthorized,
    networkInterface: resolved.networkInterface,
    clientVersion: resolved.clientVersion,
    userAgent: resolved.userAgent,
    handshakeTimeoutMs: resolved.handshakeTimeoutMs,
    mix: resolved.mix,
    ratePerSecond: resolved.rate,
    framesPerVehicle: resolved.framesPerVehicle,
    // Up to 100 ms worth of frames per tick: enough to catch up from slow ticks on a loaded machine,
    // small enough that a long stall does not turn into one flood.
    maxBurst: Math.max(4, Math.ceil(resolved.rate / 10)),
    maxBufferedBytes: resolved.maxBufferedBytes,
    maxInFlight: resolved.maxInFlight,
    payloadRefreshMs: resolved.payloadRefreshMs,
    logger,
  };
  const vehicles = identities.map(
    (identity, index) => new SimulatedVehicle(index, identity, settings, stats, resolved.seed + index),
  );
  return new Run(resolved, vehicles, stats, options).execute();
}

async function resolveIdentities(
  options: SimulationOptions,
  vehicles: number,
): Promise<{ identities: readonly VehicleIdentity[]; ca: string | Buffer | undefined }> {
  if (options.identities) {
    return { identities: options.identities, ca: options.ca ?? (options.caFile ? await readFile(options.caFile) : undefined) };
  }
  const pki = await loadPkiIdentities(options.pkiDir ?? defaultPkiDir(), vehicles);
  return { identities: pki.identities, ca: options.ca ?? (await readFile(options.caFile ?? pki.caFile)) };
}

/** One run: connection ramp and send schedule on a single tick, then the drain, then the summary. */
class Run {
  private phase: Phase = 'connecting';
  private readonly startedAt = performance.now();
  private readonly startCpu = process.cpuUsage();
  private sendingEndedAt = Number.NaN;
  private readonly connections: Pacer;
  private readonly pendingConnects: Promise<void>[] = [];
  private handshaking = 0;
  /** With startTogether, false until the whole ramp is open. */
  private released = false;
  private lastProgress = { at: this.startedAt, sent: 0, acked: 0 };

  constructor(
    private readonly options: ResolvedOptions,
    private readonly vehicles: readonly SimulatedVehicle[],
    private readonly stats: RunStats,
    private readonly callbacks: Pick<SimulationOptions, 'signal' | 'onProgress'>,
  ) {
    this.connections = new Pacer(options.connectRate, this.startedAt, vehicles.length);
  }

  async execute(): Promise<Summary> {
    const progressTimer = this.callbacks.onProgress
      ? setInterval(() => this.callbacks.onProgress?.(this.progress()), this.options.progressIntervalMs)
      : undefined;
    try {
      await this.connectAndSend();
      this.sendingEndedAt = performance.now();
      this.phase = 'draining';
      await this.drain();
      // The last word on progress, while the sockets are still counted as connected.
      clearInterval(progressTimer);
      this.callbacks.onProgress?.(this.progress());
      await Promise.all(this.pendingConnects);
      await Promise.all(this.vehicles.map((vehicle) => vehicle.close()));
    } finally {
      clearInterval(progressTimer);
    }
    return this.summary();
  }

  /** Ticks until every vehicle has sent its frames (or failed), or the run is aborted. */
  private connectAndSend(): Promise<void> {
    const { signal } = this.callbacks;
    return new Promise((resolve, reject) => {
      const tick = (): void => {
        try {
          const now = performance.now();
          this.connectDue(now);
          let allDone = this.connections.finished;
          if (!this.released) this.released = this.releaseWhenConnected(now);
          for (const vehicle of this.vehicles) {
            if (this.released) vehicle.sendDue(now);
            if (allDone && !vehicle.doneSending) allDone = false;
          }
          if (allDone || signal?.aborted) {
            resolve();
            return;
          }
          setTimeout(tick, this.options.tickMs);
        } catch (error) {
          reject(error as Error);
        }
      };
      tick();
    });
  }

  /**
   * Opens the connections the ramp says are due. Each one costs milliseconds of synchronous TLS
   * set-up, so a tick opens at most 50 ms worth, and no more than one second's worth of handshakes
   * may be in progress: a slow server slows the ramp instead of piling up handshakes that time out.
   */
  private connectDue(now: number): void {
    const { connectRate, rate } = this.options;
    const perTick = Math.max(1, Math.ceil(connectRate / 20));
    const room = Math.max(1, Math.ceil(connectRate)) - this.handshaking;
    const due = Math.min(this.connections.due(now, perTick), Math.max(0, room));
    for (let i = 0; i < due; i++) {
      const vehicle = this.vehicles[this.connections.sent + i];
      if (vehicle === undefined) break;
      // Spread vehicles evenly over one send interval so the fleet does not send in lockstep.
      const phaseMs = ((vehicle.index % 997) / 997) * (1000 / rate);
      this.handshaking++;
      this.pendingConnects.push(vehicle.connect(phaseMs).finally(() => this.handshaking--));
    }
    this.connections.recordSent(due);
    if (this.connections.finished) this.phase = 'sending';
  }

  /** Without startTogether, vehicles send from their own connection on; with it, from the end of the ramp. */
  private releaseWhenConnected(now: number): boolean {
    if (!this.options.startTogether) return true;
    if (!this.connections.finished || this.handshaking > 0) return false;
    for (const vehicle of this.vehicles) vehicle.restartSchedule(now);
    return true;
  }

  private async drain(): Promise<void> {
    const deadline = performance.now() + this.options.timeoutMs;
    while (performance.now() < deadline) {
      const waiting = this.vehicles.some((vehicle) => vehicle.status === 'open' && vehicle.unanswered > 0);
      if (!waiting) return;
      await sleep(drainPollMs);
    }
  }

  private progress(): Progress {
    const now = performance.now();
    const { stats } = this;
    const seconds = (now - this.lastProgress.at) / 1000;
    const progress: Progress = {
      phase: this.phase,
      elapsedMs: now - this.startedAt,
      vehicles: this.vehicles.length,
      connected: stats.connected,
      connectFailures: stats.connectFailures,
      sent: stats.sent,
      acked: stats.acked,
      errors: stats.errors,
      inFlight: stats.inFlight,
      sentPerSecond: seconds > 0 ? (stats.sent - this.lastProgress.sent) / seconds : 0,
      ackedPerSecond: seconds > 0 ? (stats.acked - this.lastProgress.acked) / seconds : 0,
      p50: stats.latency.percentile(50),
      p99: stats.latency.percentile(99),
    };
    this.lastProgress = { at: now, sent: stats.sent, acked: stats.acked };
    return progress;
  }

  private summary(): Summary {
    const { stats, options, vehicles } = this;
    const unanswered = vehicles.reduce((sum, vehicle) => sum + vehicle.unanswered, 0);
    const rates = vehicles.map((vehicle) => vehicle.achievedRate()).filter((rate) => rate !== undefined);
    const sendingMs = stats.sent > 0 ? stats.lastSendAtMs - stats.firstSendAtMs + 1000 / options.rate : 0;
    const byTopic: Record<string, TopicCounts> = {};
    options.mix.forEach((entry, index) => {
      byTopic[entry.topic] = {
        sent: stats.sentByTopic[index] ?? 0,
        acked: stats.ackedByTopic[index] ?? 0,
        errors: stats.errorsByTopic[index] ?? 0,
      };
    });
    const latency = stats.latency.summary();
    const problems =
      stats.connectFailures +
      stats.disconnects +
      stats.errors +
      unanswered +
      stats.unknownTxid +
      stats.duplicates +
      stats.topicMismatches +
      stats.malformed;
    return {
      url: options.url,
      vehicles: vehicles.length,
      connected: vehicles.filter((vehicle) => vehicle.everConnected).length,
      connectFailures: stats.connectFailures,
      connectFailureReasons: stats.connectFailureReasons(),
      disconnects: stats.disconnects,
      sent: stats.sent,
      acked: stats.acked,
      errors: stats.errors,
      unanswered,
      unknownTxid: stats.unknownTxid,
      duplicates: stats.duplicates,
      topicMismatches: stats.topicMismatches,
      malformed: stats.malformed,
      byTopic,
      targetRate: options.rate,
      achievedRatePerVehicle: rates.length > 0 ? rates.reduce((sum, rate) => sum + rate, 0) / rates.length : 0,
      throughput: sendingMs > 0 ? (stats.sent * 1000) / sendingMs : 0,
      latencyMs: {
        p50: latency.p50,
        p90: latency.p90,
        p99: latency.p99,
        p999: latency.p999,
        max: latency.max,
        mean: latency.mean,
      },
      durationMs: performance.now() - this.startedAt,
      cpuMs: cpuMsSince(this.startCpu),
      sendingMs: Number.isNaN(this.sendingEndedAt) ? 0 : sendingMs,
      ok: problems === 0,
    };
  }
}

function cpuMsSince(start: NodeJS.CpuUsage): { user: number; system: number } {
  const { user, system } = process.cpuUsage(start);
  return { user: user / 1000, system: system / 1000 };
}
