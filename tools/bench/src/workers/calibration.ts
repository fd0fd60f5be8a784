import { nextOfferedLoad, unsaturatedShare } from '../server/benchmark.js';
import type { PhaseResult } from './phase.js';

/** Calibration stops once a step offered at most this much more than the server acked (as bench:server does). */
const modestOverload = 1.5;
const maxSteps = 4;

/**
 * The per-vehicle rate that offers a server about 25% more than it acks: its maximum, without
 * the runaway queues (and stalled TLS handshakes of vehicles still connecting) of a far larger
 * overload. Each step measures at the previous step's finding, from `startRatePerVehicle`.
 */
export async function calibrateRate(
  startRatePerVehicle: number,
  vehicles: number,
  measure: (ratePerVehicle: number, step: number) => Promise<PhaseResult>,
): Promise<{ ratePerVehicle: number; steps: PhaseResult[] }> {
  const steps: PhaseResult[] = [];
  let offered = startRatePerVehicle * vehicles;
  for (let step = 1; step <= maxSteps; step++) {
    const phase = await measure(offered / vehicles, step);
    steps.push(phase);
    const { offeredPerSecond } = phase;
    const saturated = phase.ackedPerSecond < unsaturatedShare * offeredPerSecond;
    offered = nextOfferedLoad({ offeredPerSecond, ackedPerSecond: phase.ackedPerSecond });
    if (saturated && offeredPerSecond <= modestOverload * phase.ackedPerSecond) break;
  }
  return { ratePerVehicle: offered / vehicles, steps };
}
