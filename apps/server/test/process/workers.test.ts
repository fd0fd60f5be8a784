import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageType } from '@fleet-telemetry/codec';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, occupyPort, httpGet, jsonLines, spawnServer, type ServerProcess } from './harness.js';
import { connectVehicle, type TestVehicle } from './vehicle.js';

const VEHICLES = 6;

/** Resolves once `count` JSON log lines match `predicate`, with those lines. */
function waitForLogLines(
  server: ServerProcess,
  predicate: (line: Record<string, unknown>) => boolean,
  count = 1,
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      // Only whole lines: a chunk may end in the middle of one.
      const text = server.stdout();
      const matching = jsonLines(text.slice(0, text.lastIndexOf('\n') + 1)).filter(predicate);
      if (matching.length < count) return;
      stop();
      resolve(matching);
    };
    const onExit = (code: number | null) => {
      stop();
      reject(new Error(`server exited (${code}) before logging ${count} matching lines\nstdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`));
    };
    const stop = () => {
      server.child.stdout?.off('data', check);
      server.child.off('close', onExit);
    };
    server.child.stdout?.on('data', check);
    // 'close': lines still in the pipe when the process exited are read first.
    server.child.once('close', onExit);
    check();
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The value of an unlabelled sample, or of the sample with exactly these labels. */
function sampleValue(metrics: string, sample: string): number | undefined {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe('the server process with --workers 2', () => {
  let pki: DevPki;
  let server: ServerProcess;
  let pids: number[] = [];
  const vehicles: TestVehicle[] = [];
  const ports = { listener: 0, status: 0, metrics: 0 };

  beforeAll(async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-workers-'));
    pki = await createDevPki(join(directory, 'pki'), { vehicles: 1 });
    ports.listener = await freePort();
    ports.status = await freePort();
    ports.metrics = await freePort();
    const configPath = join(directory, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        host: '127.0.0.1',
        port: ports.listener,
        status_port: ports.status,
        json_log_enable: true,
        monitoring: { prometheus_metrics_port: ports.metrics },
        records: { V: ['logger'] },
        tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: pki.chainFile },
      }),
    );
    server = spawnServer([`-config=${configPath}`, '--workers', '2']);
    await server.waitForLine(/"msg":"started"/);
  });

  afterAll(() => {
    for (const vehicle of vehicles) vehicle.close();
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  });

  it('forks two workers and names their pids in the started line', () => {
    const started = jsonLines(server.stdout()).find((line) => line.msg === 'started');
    expect(started).toMatchObject({ workers: 2, port: ports.listener });
    pids = started?.pids as number[];
    expect(pids).toHaveLength(2);
    expect(new Set([...pids, server.child.pid]).size).toBe(3);
    expect(pids.every(isRunning)).toBe(true);
  });

  it('answers GET /status on status_port from the primary', async () => {
    expect(await httpGet(`http://127.0.0.1:${ports.status}/status`)).toEqual({ status: 200, body: 'ok' });
  });

  it('acks every vehicle, with the connections spread over both workers', async () => {
    for (let index = 0; index < VEHICLES; index++) {
      const vehicle = await connectVehicle(pki, ports.listener, 'wifi');
      vehicles.push(vehicle);
      vehicle.sendVehicleData(`tx-${index}`, `Car ${index}`);
      expect((await vehicle.answer(`tx-${index}`)).messageType).toBe(MessageType.StreamAck);
    }
    const connected = await waitForLogLines(server, (line) => line.msg === 'socket_connected', VEHICLES);
    const workerIds = new Set(connected.map((line) => line.worker));
    expect(workerIds.size).toBe(2);
    expect(workerIds.has(undefined)).toBe(false);
  });

  it('serves one /metrics for the whole server: counters and connections summed over the workers', async () => {
    const answer = await httpGet(`http://127.0.0.1:${ports.metrics}/metrics`);
    expect(answer.status).toBe(200);
    expect(sampleValue(answer.body, 'record_total{record_type="V"}')).toBe(VEHICLES);
    expect(sampleValue(answer.body, 'num_connections')).toBe(VEHICLES);
    expect(answer.body.match(/^# TYPE record_total counter$/gm)).toHaveLength(1);
    expect(answer.body.match(/^uptime_sec /gm)).toHaveLength(1);
  });

  it('replaces a worker killed with SIGKILL, and keeps its records in the merged counters', async () => {
    const [victim = 0, survivor = 0] = pids;
    process.kill(victim, 'SIGKILL');
    const [exited] = await waitForLogLines(server, (line) => line.msg === 'worker_exited' && line.pid === victim);
    expect(exited).toMatchObject({ signal: 'SIGKILL' });
    const [ready] = await waitForLogLines(server, (line) => line.msg === 'worker_ready' && !pids.includes(line.pid as number));
    const replacement = ready?.pid as number;
    expect(isRunning(replacement)).toBe(true);
    pids = [survivor, replacement];

    const vehicle = await connectVehicle(pki, ports.listener, 'cellular');
    vehicles.push(vehicle);
    vehicle.sendVehicleData('tx-after', 'Phoenix');
    expect((await vehicle.answer('tx-after')).messageType).toBe(MessageType.StreamAck);
    const metrics = (await httpGet(`http://127.0.0.1:${ports.metrics}/metrics`)).body;
    expect(sampleValue(metrics, 'record_total{record_type="V"}')).toBe(VEHICLES + 1);
  });

  it('on SIGTERM shuts every worker down gracefully and exits 0', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const codes = await Promise.all(vehicles.map((vehicle) => vehicle.closed));
    // Vehicles of the killed worker lost their connection with it; the others were closed politely.
    expect(codes).toContain(1001);
    const lines = jsonLines(server.stdout());
    const stoppedWorkers = lines.filter((line) => line.msg === 'worker_stopped').map((line) => line.pid);
    expect(stoppedWorkers.sort()).toEqual([...pids].sort());
    expect(lines.filter((line) => line.msg === 'flushing_sinks')).toHaveLength(2);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped', clean: true });
  });
});

describe.concurrent('the server process with --workers 2 whose workers cannot start', () => {
  it('exits 1 with the message of a worker whose certificate key is unusable', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-workers-bad-key-'));
    const pki = await createDevPki(join(directory, 'pki'), { vehicles: 0 });
    const badKey = join(directory, 'server-key.pem');
    writeFileSync(badKey, '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n');
    const configPath = join(directory, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        host: '127.0.0.1',
        port: await freePort(),
        json_log_enable: true,
        records: { V: ['logger'] },
        tls: { server_cert: pki.serverCertFile, server_key: badKey },
      }),
    );
    const server = spawnServer([`-config=${configPath}`, '--workers', '2']);
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toMatch(/^config error: tls\.server_key .+\n$/);
    expect(jsonLines(server.stdout()).filter((line) => line.msg === 'started')).toEqual([]);
  });

  it('exits 1 with the message of a worker whose port is taken, leaving no worker behind', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-workers-taken-'));
    const pki = await createDevPki(join(directory, 'pki'), { vehicles: 0 });
    const taken = await occupyPort();
    const configPath = join(directory, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        host: '127.0.0.1',
        port: taken.port,
        json_log_enable: true,
        records: { V: ['logger'] },
        tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile },
      }),
    );
    try {
      const server = spawnServer([`-config=${configPath}`, '--workers=2']);
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toBe('config error: port names a port that is already in use\n');
      const forked = jsonLines(server.stdout()).filter((line) => line.msg === 'worker_forked');
      expect(forked).toHaveLength(2);
      expect(forked.map((line) => line.pid as number).filter(isRunning)).toEqual([]);
    } finally {
      taken.release();
    }
  });
});
