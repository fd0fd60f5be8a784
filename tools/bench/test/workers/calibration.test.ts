import { describe, expect, it } from 'vitest';
import { calibrateRate } from '../../src/workers/calibration.js';
import type { PhaseResult } from '../../src/workers/phase.js';

/** A server that acks up to `capacity` records/s of what it is offered. */
function serverWithCapacity(capacity: number, vehicles: number) {
  const offered: number[] = [];
  const measure = async (ratePerVehicle: number, step: number): Promise<PhaseResult> => {
    const offeredPerSecond = ratePerVehicle * vehicles;
    offered.push(offeredPerSecond);
    const ackedPerSecond = Math.min(capacity, offeredPerSecond);
    return { workers: 1, run: 0, ratePerVehicle, offeredPerSecond, ackedPerSecond, sentPerSecond: offeredPerSecond, p50Ms: step, p99Ms: step, cores: {}, exitCode: 0, problems: [] };
  };
  return { offered, measure };
}

describe('calibrateRate', () => {
  it('doubles an offer the server takes, then settles 25% above what it acks', async () => {
    const server = serverWithCapacity(30_000, 1000);
    const found = await calibrateRate(10, 1000, server.measure);
    expect(server.offered).toEqual([10_000, 20_000, 40_000]);
    expect(found.ratePerVehicle).toBe(37.5);
    expect(found.steps).toHaveLength(3);
  });

  it('steps down from a far too large first offer', async () => {
    const server = serverWithCapacity(8_000, 1000);
    const found = await calibrateRate(50, 1000, server.measure);
    expect(server.offered).toEqual([50_000, 10_000]);
    expect(found.ratePerVehicle).toBe(10);
  });

  it('gives up after four steps on a server that takes everything', async () => {
    const server = serverWithCapacity(Number.POSITIVE_INFINITY, 100);
    const found = await calibrateRate(1, 100, server.measure);
    expect(server.offered).toEqual([100, 200, 400, 800]);
    expect(found.ratePerVehicle).toBe(16);
  });
});
