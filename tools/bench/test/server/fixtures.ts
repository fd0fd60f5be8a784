import type { BenchResult, RunResult } from '../../src/server/benchmark.js';
import type { LoadPhaseResult } from '../../src/server/phases/load-phase.js';
import type { MemoryPhaseResult } from '../../src/server/phases/memory-phase.js';
import { noStalls } from '../../src/server/stall-window.js';
import type { TargetKind, TargetStats } from '../../src/server/target/protocol.js';

export function loadPhase(overrides: Partial<LoadPhaseResult> & Pick<LoadPhaseResult, 'kind' | 'purpose'>): LoadPhaseResult {
  return {
    vehicles: 1000,
    offeredPerSecond: 25_000,
    sentPerSecond: 25_000,
    ackedPerSecond: 20_000,
    windowMs: 10_000,
    rampMs: 8_000,
    serverCpuShare: 0.98,
    loadCpuShare: 0.7,
    serverWaitShare: 0.01,
    loadWaitShare: 0.02,
    serverStalls: noStalls,
    loadStalls: noStalls,
    serverCpuUsPerRecord: 49,
    latency: { count: 200_000, p50: 2, p90: 5, p99: 10, p999: 20, max: 40 },
    inFlightAtClose: 100,
    loadAverage: 1.2,
    problems: [],
    ...overrides,
  };
}

export function stats(rssBytes: number, heapUsedBytes: number, externalBytes: number, connections: number): TargetStats {
  return { atMs: 0, cpuUs: 0, rssBytes, heapUsedBytes, heapTotalBytes: heapUsedBytes, externalBytes, connections };
}

export function memoryPhase(kind: TargetKind, rssPerConnection: number, heapPerConnection: number): MemoryPhaseResult {
  const connections = 10_000;
  return {
    kind,
    connections,
    before: stats(100e6, 20e6, 5e6, 0),
    after: stats(100e6 + rssPerConnection * connections, 20e6 + heapPerConnection * connections, 5e6, connections),
    rssBytesPerConnection: rssPerConnection,
    heapAndExternalBytesPerConnection: heapPerConnection,
    rampMs: 60_000,
    problems: [],
  };
}

/** A run where ours acks `oursAcked`/s against the echo's `echoAcked`/s, with the given p99 at half load. */
export function run(number: number, oursAcked: number, echoAcked: number, oursP99: number, withMemory = true): RunResult {
  return {
    run: number,
    max: {
      telemetry: loadPhase({ kind: 'telemetry', purpose: 'max', ackedPerSecond: oursAcked, serverCpuUsPerRecord: 1e6 / oursAcked }),
      echo: loadPhase({ kind: 'echo', purpose: 'max', ackedPerSecond: echoAcked, serverCpuUsPerRecord: 1e6 / echoAcked }),
    },
    half: {
      telemetry: loadPhase({
        kind: 'telemetry',
        purpose: 'half',
        offeredPerSecond: oursAcked / 2,
        ackedPerSecond: oursAcked / 2,
        latency: { count: 1, p50: 1, p90: 2, p99: oursP99, p999: oursP99, max: oursP99 },
      }),
      echo: loadPhase({ kind: 'echo', purpose: 'half', offeredPerSecond: oursAcked / 2, ackedPerSecond: oursAcked / 2 }),
    },
    memory: withMemory ? { telemetry: memoryPhase('telemetry', 12 * 1024, 6 * 1024), echo: memoryPhase('echo', 8 * 1024, 3 * 1024) } : undefined,
  };
}

export function benchResult(runs: RunResult[]): BenchResult {
  return { calibration: [], runs, profiles: [] };
}
