import type { Summary } from '@fleet-telemetry/vehicle-sim';
import { describe, expect, it } from 'vitest';
import type { LoadMark } from '../../src/server/load/protocol.js';
import { result, type LoadPhaseSpec } from '../../src/server/phases/load-phase.js';
import { stats } from './fixtures.js';

const spec: LoadPhaseSpec = {
  kind: 'telemetry',
  purpose: 'max',
  label: 'run 1/3',
  vehicles: 1000,
  ratePerVehicle: 25,
  settleMs: 3_000,
  windowMs: 10_000,
  seed: 1,
};

const mark = (overrides: Partial<LoadMark>): LoadMark => ({
  elapsedMs: 0,
  connected: 1000,
  connectFailures: 0,
  sent: 0,
  acked: 0,
  errors: 0,
  inFlight: 0,
  cpuUs: 0,
  ...overrides,
});

const cleanSummary = {
  connectFailures: 0,
  disconnects: 0,
  errors: 0,
  unanswered: 0,
  unknownTxid: 0,
  duplicates: 0,
  topicMismatches: 0,
  malformed: 0,
} as Summary;

const latency = { count: 150_000, p50: 3, p90: 6, p99: 12, p999: 30, max: 50 };

function readings(overrides: { summary?: Partial<Summary>; close?: Partial<LoadMark> } = {}) {
  return {
    open: mark({ elapsedMs: 15_000, sent: 100_000, acked: 90_000, cpuUs: 4_000_000 }),
    close: mark({ elapsedMs: 25_000, sent: 300_000, acked: 290_000, inFlight: 1_234, cpuUs: 11_000_000, latency, ...overrides.close }),
    serverOpen: { ...stats(0, 0, 0, 1000), atMs: 1_000, cpuUs: 20_000_000 },
    serverClose: { ...stats(0, 0, 0, 1000), atMs: 11_000, cpuUs: 29_800_000 },
    summary: { ...cleanSummary, ...overrides.summary },
    rampMs: 9_000,
    loadAverage: 1.5,
  };
}

describe('load phase result', () => {
  it('takes rates over the window and CPU shares over each process’s own clock', () => {
    const phase = result(spec, readings());
    expect(phase).toMatchObject({
      offeredPerSecond: 25_000,
      sentPerSecond: 20_000,
      ackedPerSecond: 20_000,
      windowMs: 10_000,
      rampMs: 9_000,
      inFlightAtClose: 1_234,
      latency,
      problems: [],
    });
    expect(phase.serverCpuShare).toBeCloseTo(0.98);
    expect(phase.loadCpuShare).toBeCloseTo(0.7);
    expect(phase.serverCpuUsPerRecord).toBeCloseTo(49);
  });

  it('turns the run-queue waits into shares of each process’s window, NaN when a reading is missing', () => {
    const waited = readings();
    const phase = result(spec, {
      ...waited,
      open: { ...waited.open, runQueueWaitUs: 1_000_000 },
      close: { ...waited.close, runQueueWaitUs: 3_000_000 },
      serverOpen: { ...waited.serverOpen, runQueueWaitUs: 500_000 },
      serverClose: { ...waited.serverClose, runQueueWaitUs: 1_500_000 },
    });
    expect(phase.loadWaitShare).toBeCloseTo(0.2);
    expect(phase.serverWaitShare).toBeCloseTo(0.1);
    expect(result(spec, waited).serverWaitShare).toBeNaN();
  });

  it('reports everything that makes the numbers suspect', () => {
    const phase = result(
      spec,
      readings({
        close: { connected: 997, latency: undefined },
        summary: { disconnects: 3, errors: 2, unanswered: 5, duplicates: 1, malformed: 1 },
      }),
    );
    expect(phase.problems).toEqual([
      'only 997 of 1000 vehicles connected during the window',
      'no ack latency was recorded in the window',
      'the server closed 3 sockets',
      '2 frames answered with an error',
      '5 frames never answered',
      '2 unexpected answers',
    ]);
  });
});
