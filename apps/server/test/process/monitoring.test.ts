import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageType } from '@fleet-telemetry/codec';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNoticeListener, startStatsdListener } from '../monitoring/listeners.js';
import { freePort, occupyPort, httpGet, jsonLines, spawnServer, type ServerProcess } from './harness.js';
import { connectVehicle, type TestVehicle } from './vehicle.js';

describe('the server process with StatsD, the profiler and a whole-run profile', () => {
  let pki: DevPki;
  let server: ServerProcess;
  let vehicle: TestVehicle | undefined;
  let statsd: Awaited<ReturnType<typeof startStatsdListener>>;
  let profilePath: string;
  const ports = { listener: 0, profiler: 0 };

  beforeAll(async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-monitoring-'));
    pki = await createDevPki(join(directory, 'pki'), { vehicles: 1 });
    statsd = await startStatsdListener();
    ports.listener = await freePort();
    ports.profiler = await freePort();
    profilePath = join(directory, 'run.cpuprofile');
    const configPath = join(directory, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        host: '127.0.0.1',
        port: ports.listener,
        json_log_enable: true,
        monitoring: {
          profiler_port: ports.profiler,
          // Relative to the config file.
          profiling_path: 'run.cpuprofile',
          statsd: { host: `127.0.0.1:${statsd.port}`, prefix: 'fleet.', flush_period: 50 },
        },
        records: { V: ['logger'], connectivity: ['logger'] },
        tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: pki.chainFile },
      }),
    );
    server = spawnServer([`-config=${configPath}`]);
    await server.waitForLine(/"msg":"started"/);
  });

  afterAll(async () => {
    vehicle?.close();
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await statsd.close();
  });

  it('logs no config warning for the monitoring keys', () => {
    expect(jsonLines(server.stdout()).filter((line) => String(line.msg).startsWith('config warning'))).toEqual([]);
  });

  it('pushes the metrics to StatsD with the prefix and InfluxDB tags', async () => {
    vehicle = await connectVehicle(pki, ports.listener, 'wifi');
    vehicle.sendVehicleData('tx-1', 'Road Runner');
    expect((await vehicle.answer('tx-1')).messageType).toBe(MessageType.StreamAck);
    expect(await statsd.waitFor((line) => line.startsWith('fleet.record_total,'))).toEqual(['fleet.record_total,record_type=V:1|c']);
    await statsd.waitFor((line) => /^fleet\.num_connections:1\|g$/.test(line));
    await statsd.waitFor((line) => /^fleet\.uptime_sec:\d+\|g$/.test(line));
  });

  it('serves CPU profiles on the profiler port, bound to 127.0.0.1', async () => {
    expect(jsonLines(server.stdout())).toContainEqual(expect.objectContaining({ msg: 'profiler_server_started', host: '127.0.0.1', port: ports.profiler }));
    const answer = await httpGet(`http://127.0.0.1:${ports.profiler}/debug/pprof/profile?seconds=1`);
    expect(answer.status).toBe(200);
    const profile = JSON.parse(answer.body) as { nodes: unknown[]; samples: unknown[] };
    expect(profile.nodes.length).toBeGreaterThan(0);
    expect(profile.samples.length).toBeGreaterThan(0);
  });

  it('writes the whole-run CPU profile at SIGTERM, and pushes what the shutdown counted to StatsD', async () => {
    expect(readFileSync(profilePath, 'utf8')).toBe('');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as { nodes: { callFrame: { url: string } }[]; samples: number[]; startTime: number; endTime: number };
    expect(profile.samples.length).toBeGreaterThan(0);
    expect(profile.endTime).toBeGreaterThan(profile.startTime);
    // The server's own code is in it.
    expect(profile.nodes.some((node) => node.callFrame.url.includes('/packages/'))).toBe(true);
    const messages = jsonLines(server.stdout()).map((line) => line.msg);
    expect(messages.indexOf('cpu_profile_written')).toBeGreaterThan(messages.indexOf('flushing_sinks'));
    // CONNECTED, then DISCONNECTED while the sockets were closed: increments add up to 2.
    const connectivityDispatches = () =>
      statsd.items
        .filter((line) => line.startsWith('fleet.dispatch_total,record_type=connectivity:'))
        .reduce((sum, line) => sum + Number(/:(\d+)\|c$/.exec(line)?.[1]), 0);
    await expect.poll(connectivityDispatches, { timeout: 10_000 }).toBe(2);
  });
});

describe('the server process with two workers and a whole-run profile', () => {
  it('writes one profile per worker, named after it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-worker-profiles-'));
    const pki = await createDevPki(join(directory, 'pki'), { vehicles: 0 });
    const configPath = join(directory, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        host: '127.0.0.1',
        port: await freePort(),
        json_log_enable: true,
        monitoring: { profiling_path: 'run.cpuprofile' },
        records: { V: ['logger'] },
        tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile },
      }),
    );
    const server = spawnServer([`-config=${configPath}`, '--workers', '2']);
    try {
      await server.waitForLine(/"msg":"started"/, 60_000);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      for (const name of ['run.worker-1.cpuprofile', 'run.worker-2.cpuprofile']) {
        const profile = JSON.parse(readFileSync(join(directory, name), 'utf8')) as { nodes: unknown[]; samples: unknown[] };
        expect(profile.nodes.length, name).toBeGreaterThan(0);
      }
      expect(() => readFileSync(join(directory, 'run.cpuprofile'))).toThrow(/ENOENT/);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  });
});

describe.concurrent('the server process reporting to Airbrake', () => {
  it('reports a failed start with its error before it exits', async () => {
    const notices = await startNoticeListener();
    const directory = mkdtempSync(join(tmpdir(), 'ft-airbrake-'));
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
        airbrake: { host: notices.url, project_id: 77, project_key: 'config-key', environment: 'test' },
      }),
    );
    try {
      const server = spawnServer([`-config=${configPath}`], { AIRBRAKE_PROJECT_KEY: 'environment-key' });
      expect(await server.exited).toBe(1);
      const [notice] = await notices.waitFor(() => true);
      expect(notice?.path).toBe('/api/v3/projects/77/notices');
      // The environment variable wins over the config, as in the reference server.
      expect(notice?.headers.authorization).toBe('Bearer environment-key');
      expect(notice?.body.errors[0]).toMatchObject({ type: 'ConfigError', message: expect.stringContaining('port names a port that is already in use') });
      expect(notice?.body.errors[0]?.backtrace.length).toBeGreaterThan(0);
      expect(notice?.body.context).toMatchObject({ environment: 'test', severity: 'critical', action: 'start_failed' });
      expect(jsonLines(server.stdout())).toContainEqual(expect.objectContaining({ msg: 'airbrake_configured', key_source: 'environment_variable' }));
    } finally {
      taken.release();
      await notices.close();
    }
  });

  it('exits 1 naming the key when neither project_key nor AIRBRAKE_PROJECT_KEY is set', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-airbrake-'));
    const configPath = join(directory, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        records: { V: ['logger'] },
        tls: { server_cert: 'server.pem', server_key: 'server-key.pem' },
        airbrake: { project_id: 77 },
      }),
    );
    const server = spawnServer([`-config=${configPath}`], { AIRBRAKE_PROJECT_KEY: '' });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('config error: airbrake.project_key is required (or set the environment variable AIRBRAKE_PROJECT_KEY)');
  });
});
