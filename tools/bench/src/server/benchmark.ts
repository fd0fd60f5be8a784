import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchEnvironment } from './phases/environment.js';
import { targetNames } from './phases/environment.js';
import { runLoadPhase, simulatorProfileFile, type LoadPhaseResult } from './phases/load-phase.js';
import { runMemoryPhase, type MemoryPhaseResult } from './phases/memory-phase.js';
import { summarizeCpuProfile, type CpuProfile, type ProfileSummary } from './profile.js';
import type { TargetKind } from './target/protocol.js';

export interface BenchPlan {
  readonly runs: number;
  readonly vehicles: number;
  readonly windowMs: number;
  readonly settleMs: number;
  /**
   * Frames per second per vehicle for the max-load phases. Undefined: found by a calibration
   * phase per server, then kept 25% above what the server acked there.
   */
  readonly maxRatePerVehicle?: number | undefined;
  /** Per-vehicle rate of the calibration phases: far more than any server here takes. */
  readonly calibrationRatePerVehicle: number;
  readonly calibrationWindowMs: number;
  /** Idle connections of the memory phases (0: no memory phases). */
  readonly idleConnections: number;
  readonly idleCertificates: number;
  readonly idleConcurrency: number;
  /** How many of the runs include the memory phases (the first ones). */
  readonly memoryRuns: number;
  /** Max-load and half-load phases (off: memory phases only). */
  readonly load: boolean;
  /** Profile each server at max load once more, after the runs, into this directory. */
  readonly profileDir?: string | undefined;
}

export interface RunResult {
  readonly run: number;
  /** Absent when the plan skips the load phases. */
  readonly max?: Readonly<Record<TargetKind, LoadPhaseResult>> | undefined;
  readonly half?: Readonly<Record<TargetKind, LoadPhaseResult>> | undefined;
  /** Absent in runs without memory phases. */
  readonly memory?: Readonly<Record<TargetKind, MemoryPhaseResult>> | undefined;
}

export interface ProfileResult {
  readonly kind: TargetKind;
  readonly file: string;
  readonly phase: LoadPhaseResult;
  readonly summary: ProfileSummary;
  /** Whose profile: the server's (default) or the simulator's driving it. */
  readonly process?: 'server' | 'simulator';
}

export interface BenchResult {
  readonly calibration: readonly LoadPhaseResult[];
  readonly runs: readonly RunResult[];
  readonly profiles: readonly ProfileResult[];
}

/** Over this share of the offered load acked, a max-load phase did not saturate the server. */
export const unsaturatedShare = 0.97;
/** How far above a server's measured capacity the max-load phases offer. */
const overload = 1.25;
/**
 * A calibration step offering at most this much more than the server acked measured it near its
 * capacity. Far above it, a server may ack less than it can at a modest overload (its queues and
 * the kernel's fill up), so calibration continues with a smaller overload.
 */
const modestOverload = 1.5;
const maxCalibrationSteps = 4;

/**
 * The offered load of a server's next max-load phase: 25% above what it acked, or twice that
 * when it acked nearly all it was offered (it could have taken more).
 */
export function nextOfferedLoad(phase: Pick<LoadPhaseResult, 'offeredPerSecond' | 'ackedPerSecond'>): number {
  const saturated = phase.ackedPerSecond < unsaturatedShare * phase.offeredPerSecond;
  return phase.ackedPerSecond * (saturated ? overload : 2);
}

const kinds: readonly TargetKind[] = ['echo', 'telemetry'];

/**
 * The whole benchmark: per run, both servers at max load (fresh processes each), both at half of
 * our server's max, and both holding idle connections. The order of the servers alternates
 * between runs so neither always runs on a warmer or quieter machine.
 */
export async function runBenchmark(plan: BenchPlan, env: BenchEnvironment): Promise<BenchResult> {
  const offered = new Map<TargetKind, number>();
  const calibration: LoadPhaseResult[] = [];
  let seed = 1;
  const nextSeed = (): number => seed++;
  for (const kind of plan.load ? kinds : []) {
    if (plan.maxRatePerVehicle !== undefined) {
      offered.set(kind, plan.maxRatePerVehicle * plan.vehicles);
      continue;
    }
    const found = await calibrate(kind, plan, env, nextSeed);
    calibration.push(...found.phases);
    offered.set(kind, found.offered);
    env.log(`calibration: the runs offer ${targetNames[kind]} ${Math.round(found.offered)} records/s`);
  }

  const runs: RunResult[] = [];
  for (let run = 1; run <= plan.runs; run++) {
    const label = `run ${run}/${plan.runs}`;
    const order = run % 2 === 1 ? kinds : [...kinds].reverse();
    let max: Record<TargetKind, LoadPhaseResult> | undefined;
    let half: Record<TargetKind, LoadPhaseResult> | undefined;
    if (plan.load) {
      max = {} as Record<TargetKind, LoadPhaseResult>;
      for (const kind of order) {
        const ratePerVehicle = (offered.get(kind) ?? 0) / plan.vehicles;
        max[kind] = await runLoadPhase(
          { kind, purpose: 'max', label, vehicles: plan.vehicles, ratePerVehicle, settleMs: plan.settleMs, windowMs: plan.windowMs, seed: nextSeed() },
          env,
        );
        if (plan.maxRatePerVehicle === undefined) offered.set(kind, Math.max(offered.get(kind) ?? 0, nextOfferedLoad(max[kind])));
        logPhase(env, max[kind]);
      }
      // Both servers get the same half load: half of what ours acked in this run.
      const halfRate = max.telemetry.ackedPerSecond / 2 / plan.vehicles;
      half = {} as Record<TargetKind, LoadPhaseResult>;
      for (const kind of order) {
        half[kind] = await runLoadPhase(
          { kind, purpose: 'half', label, vehicles: plan.vehicles, ratePerVehicle: halfRate, settleMs: plan.settleMs, windowMs: plan.windowMs, seed: nextSeed() },
          env,
        );
        logPhase(env, half[kind]);
      }
    }
    let memory: Record<TargetKind, MemoryPhaseResult> | undefined;
    if (plan.idleConnections > 0 && run <= plan.memoryRuns) {
      memory = {} as Record<TargetKind, MemoryPhaseResult>;
      for (const kind of order) {
        memory[kind] = await runMemoryPhase(
          {
            kind,
            label,
            connections: plan.idleConnections,
            certificates: plan.idleCertificates,
            warmupConnections: Math.min(100, plan.idleConnections),
            concurrency: plan.idleConcurrency,
          },
          env,
        );
        const result = memory[kind];
        env.log(
          `  ${targetNames[kind]} idle ${label}: ${result.connections} sockets, ` +
            `${(result.rssBytesPerConnection / 1024).toFixed(1)} KiB RSS and ` +
            `${(result.heapAndExternalBytesPerConnection / 1024).toFixed(1)} KiB heap+external per socket`,
        );
      }
    }
    runs.push({ run, max, half, memory });
  }

  const profiles: ProfileResult[] = [];
  if (plan.profileDir !== undefined && plan.load) {
    for (const kind of kinds) {
      const file = join(plan.profileDir, `${targetNames[kind]}-max-load.cpuprofile`);
      const phase = await runLoadPhase(
        {
          kind,
          purpose: 'max',
          label: 'profiled',
          vehicles: plan.vehicles,
          ratePerVehicle: (offered.get(kind) ?? 0) / plan.vehicles,
          settleMs: plan.settleMs,
          windowMs: plan.windowMs,
          seed: nextSeed(),
          profileFile: file,
        },
        env,
      );
      const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
      profiles.push({ kind, file, phase, summary: summarizeCpuProfile(profile) });
      const simulatorFile = simulatorProfileFile(file);
      const simulatorProfile = JSON.parse(await readFile(simulatorFile, 'utf8')) as CpuProfile;
      profiles.push({ kind, file: simulatorFile, phase, summary: summarizeCpuProfile(simulatorProfile), process: 'simulator' });
    }
  }
  return { calibration, runs, profiles };
}

/**
 * Finds the offered load of a server's max-load phases: starts far above any server's capacity
 * and steps down (or up, when a step was not saturated) until a step measured the server at a
 * modest overload.
 */
async function calibrate(
  kind: TargetKind,
  plan: BenchPlan,
  env: BenchEnvironment,
  nextSeed: () => number,
): Promise<{ phases: LoadPhaseResult[]; offered: number }> {
  const phases: LoadPhaseResult[] = [];
  let offered = plan.calibrationRatePerVehicle * plan.vehicles;
  for (let step = 1; step <= maxCalibrationSteps; step++) {
    const phase = await runLoadPhase(
      {
        kind,
        purpose: 'calibration',
        label: `step ${step}`,
        vehicles: plan.vehicles,
        ratePerVehicle: offered / plan.vehicles,
        settleMs: Math.min(plan.settleMs, 2_000),
        windowMs: plan.calibrationWindowMs,
        seed: nextSeed(),
      },
      env,
    );
    phases.push(phase);
    logPhase(env, phase);
    const saturated = phase.ackedPerSecond < unsaturatedShare * phase.offeredPerSecond;
    offered = nextOfferedLoad(phase);
    if (saturated && phase.offeredPerSecond <= modestOverload * phase.ackedPerSecond) break;
  }
  return { phases, offered };
}

function logPhase(env: BenchEnvironment, phase: LoadPhaseResult): void {
  env.log(
    `  → ${targetNames[phase.kind]} ${phase.purpose}: acked ${Math.round(phase.ackedPerSecond)}/s of ${Math.round(phase.offeredPerSecond)}/s offered, ` +
      `server cpu ${Math.round(phase.serverCpuShare * 100)}% (waited ${Math.round(phase.serverWaitShare * 100)}%), ` +
      `simulator cpu ${Math.round(phase.loadCpuShare * 100)}% (waited ${Math.round(phase.loadWaitShare * 100)}%), p50 ${phase.latency.p50.toFixed(2)} ms, p99 ${phase.latency.p99.toFixed(2)} ms, ` +
      `longest stall server ${phase.serverStalls.loopDelayMaxMs.toFixed(0)} ms (GC ${phase.serverStalls.gcMaxPauseMs.toFixed(0)}), ` +
      `simulator ${phase.loadStalls.loopDelayMaxMs.toFixed(0)} ms (GC ${phase.loadStalls.gcMaxPauseMs.toFixed(0)})` +
      (phase.problems.length > 0 ? `, PROBLEMS: ${phase.problems.join('; ')}` : ''),
  );
}
