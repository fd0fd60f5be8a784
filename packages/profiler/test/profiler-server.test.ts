import { afterEach, describe, expect, it } from 'vitest';
import { startProfilerServer, type ProfilerServer } from '../src/index.js';
import { get, watchedLogger } from './http.js';

/** Keeps the CPU busy so a profile has JavaScript frames to show. */
function spin(ms: number): number {
  let sum = 0;
  for (const end = Date.now() + ms; Date.now() < end; ) sum += Math.sqrt(sum + 1);
  return sum;
}

describe('the profiler HTTP server', () => {
  let server: ProfilerServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('binds to 127.0.0.1 unless told otherwise', async () => {
    server = await startProfilerServer({ port: 0 });
    expect(server.host).toBe('127.0.0.1');
    const answer = await get(`http://127.0.0.1:${server.port}/debug/pprof/`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('/debug/pprof/profile?seconds=N');
  });

  it('answers a CPU profile of the asked seconds as .cpuprofile JSON', async () => {
    server = await startProfilerServer({ port: 0 });
    const pending = get(`http://127.0.0.1:${server.port}/debug/pprof/profile?seconds=1`);
    const spinner = setInterval(() => spin(20), 25);
    const answer = await pending.finally(() => clearInterval(spinner));

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="cpu-\d+-.+\.cpuprofile"$/);
    const profile = JSON.parse(answer.body) as { nodes: { id: number; callFrame: { functionName: string } }[]; samples: number[]; startTime: number; endTime: number };
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.samples.length).toBeGreaterThan(0);
    const ids = new Set(profile.nodes.map((node) => node.id));
    expect(profile.samples.every((id) => ids.has(id))).toBe(true);
    expect(profile.nodes.map((node) => node.callFrame.functionName)).toContain('spin');
    // Profile times are in microseconds.
    expect(profile.endTime - profile.startTime).toBeGreaterThanOrEqual(900_000);
  });

  it('takes one profile at a time: a second request gets 409 while the first runs', async () => {
    const log = watchedLogger();
    server = await startProfilerServer({ port: 0, logger: log.logger });
    const first = get(`http://127.0.0.1:${server.port}/debug/pprof/profile?seconds=1`);
    await log.waitFor('cpu_profile_started');
    const second = await get(`http://127.0.0.1:${server.port}/debug/pprof/profile?seconds=1`);
    const heap = await get(`http://127.0.0.1:${server.port}/debug/pprof/heap`);
    expect(second.status).toBe(409);
    expect(heap.status).toBe(409);
    expect((await first).status).toBe(200);
    expect((await get(`http://127.0.0.1:${server.port}/debug/pprof/profile?seconds=1`)).status).toBe(200);
  });

  it.each(['0', '-1', '1.5', 'ten', '301'])('refuses seconds=%s with 400', async (seconds) => {
    server = await startProfilerServer({ port: 0 });
    const answer = await get(`http://127.0.0.1:${server.port}/debug/pprof/profile?seconds=${seconds}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toBe(`seconds must be a whole number from 1 to 300, got "${seconds}"\n`);
  });

  it('bounds the seconds by maxProfileSeconds', async () => {
    server = await startProfilerServer({ port: 0, maxProfileSeconds: 5 });
    expect((await get(`http://127.0.0.1:${server.port}/debug/pprof/profile?seconds=6`)).status).toBe(400);
  });

  it('answers a heap snapshot as .heapsnapshot JSON', async () => {
    server = await startProfilerServer({ port: 0 });
    const marker = { heapSnapshotMarker: 'fleet-telemetry-profiler-test' };
    const answer = await get(`http://127.0.0.1:${server.port}/debug/pprof/heap`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="heap-\d+-.+\.heapsnapshot"$/);
    const snapshot = JSON.parse(answer.body) as { snapshot: { meta: { node_fields: string[] }; node_count: number }; nodes: number[]; strings: string[] };
    expect(snapshot.snapshot.meta.node_fields).toContain('name');
    expect(snapshot.nodes.length).toBe(snapshot.snapshot.node_count * snapshot.snapshot.meta.node_fields.length);
    expect(snapshot.strings).toContain('fleet-telemetry-profiler-test');
    expect(marker.heapSnapshotMarker).toBeDefined();
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    server = await startProfilerServer({ port: 0 });
    expect((await get(`http://127.0.0.1:${server.port}/debug/pprof/goroutine`)).status).toBe(404);
    expect((await get(`http://127.0.0.1:${server.port}/debug/pprof/heap`, 'POST')).status).toBe(405);
  });

  it('closes while a profile is running, without waiting for it', async () => {
    const log = watchedLogger();
    server = await startProfilerServer({ port: 0, maxProfileSeconds: 3600, logger: log.logger });
    const pending = get(`http://127.0.0.1:${server.port}/debug/pprof/profile?seconds=3600`).catch((error: unknown) => error);
    await log.waitFor('cpu_profile_started');
    await server.close();
    server = undefined;
    await pending;
  });
});
