import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevPki } from '@fleet-telemetry/dev-pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchEnvironment } from '../../src/server/phases/environment.js';
import { runLoadPhase } from '../../src/server/phases/load-phase.js';
import { runMemoryPhase } from '../../src/server/phases/memory-phase.js';
import { liveChildCount } from '../../src/server/processes.js';

// Real server, simulator and idle-socket processes, at a scale that runs in seconds.
describe('server benchmark phases', () => {
  let pkiDir: string;
  let env: BenchEnvironment;

  beforeAll(async () => {
    pkiDir = await mkdtemp(join(tmpdir(), 'bench-server-'));
    await createDevPki(pkiDir, { vehicles: 4 });
    env = {
      pkiDir,
      host: '127.0.0.1',
      pin: false,
      sources: true,
      reliableAck: true,
      connectRate: 50,
      handshakeTimeoutMs: 30_000,
      drainTimeoutMs: 30_000,
      maxBufferedBytes: 64 * 1024,
      log: () => undefined,
    };
  }, 120_000);

  afterAll(async () => {
    await rm(pkiDir, { recursive: true, force: true });
  });

  it.each(['telemetry', 'echo'] as const)(
    'measures the %s server under simulator load, every frame acked, and leaves no process behind',
    async (kind) => {
      const phase = await runLoadPhase(
        { kind, purpose: 'half', label: 'test', vehicles: 4, ratePerVehicle: 25, settleMs: 200, windowMs: 1_500, seed: 7 },
        env,
      );
      expect(phase.problems).toEqual([]);
      expect(phase.offeredPerSecond).toBe(100);
      expect(phase.ackedPerSecond).toBeGreaterThan(0);
      expect(phase.latency.count).toBeGreaterThan(0);
      expect(phase.latency.p99).toBeGreaterThanOrEqual(phase.latency.p50);
      expect(phase.serverCpuUsPerRecord).toBeGreaterThan(0);
      expect(liveChildCount()).toBe(0);
    },
    120_000,
  );

  it('counts idle sockets on the server side and reads memory before and after them', async () => {
    const phase = await runMemoryPhase(
      { kind: 'telemetry', label: 'test', connections: 30, certificates: 2, warmupConnections: 3, concurrency: 8 },
      env,
    );
    expect(phase.problems).toEqual([]);
    expect(phase.before.connections).toBe(0);
    expect(phase.after.connections).toBe(30);
    expect(phase.after.numConnectionsMetric).toBe(30);
    expect(phase.heapAndExternalBytesPerConnection).toBeGreaterThan(0);
    expect(liveChildCount()).toBe(0);
  }, 120_000);

  it('fails when a server cannot start, and leaves no process behind', async () => {
    const broken = { ...env, pkiDir: join(pkiDir, 'missing') };
    await expect(
      runLoadPhase({ kind: 'telemetry', purpose: 'half', label: 'test', vehicles: 1, ratePerVehicle: 1, settleMs: 0, windowMs: 100, seed: 1 }, broken),
    ).rejects.toThrow(/ours server exited/);
    expect(liveChildCount()).toBe(0);
  }, 120_000);
});
