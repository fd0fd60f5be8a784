import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageType } from '@fleet-telemetry/codec';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, httpGet, httpsGet, jsonLines, spawnServer, type ServerProcess } from './harness.js';
import { connectVehicle, type TestVehicle } from './vehicle.js';

describe('the server process with a good config', () => {
  let pki: DevPki;
  let server: ServerProcess;
  let vehicle: TestVehicle;
  const ports = { listener: 0, status: 0, metrics: 0 };

  beforeAll(async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-server-'));
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
        log_level: 'info',
        json_log_enable: true,
        namespace: 'tesla_telemetry',
        data_connectors: { file: { path: 'vins.json' } },
        monitoring: { prometheus_metrics_port: ports.metrics },
        records: { V: ['logger'], alerts: ['logger'], connectivity: ['logger'] },
        tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: pki.chainFile },
      }),
    );
    server = spawnServer([`-config=${configPath}`]);
    await server.waitForLine(/"msg":"started"/);
  });

  afterAll(() => {
    vehicle?.close();
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  });

  it('starts despite an unknown key, logging a warning that names it', () => {
    expect(jsonLines(server.stdout())).toContainEqual(
      expect.objectContaining({ level: 40, key: 'data_connectors', msg: expect.stringMatching(/^config warning: data_connectors is not a known key/) }),
    );
  });

  it('answers GET /status on status_port with 200 ok', async () => {
    expect(await httpGet(`http://127.0.0.1:${ports.status}/status`)).toEqual({ status: 200, body: 'ok' });
  });

  it('answers GET /status on the mTLS port with 200 mtls ok for a client with a certificate', async () => {
    const client = pki.vehicles[0]!;
    const answer = await httpsGet(`https://127.0.0.1:${ports.listener}/status`, {
      cert: readFileSync(client.certFile),
      key: readFileSync(client.keyFile),
      ca: readFileSync(pki.caFile),
    });
    expect(answer).toEqual({ status: 200, body: 'mtls ok' });
  });

  it('refuses a client without a certificate', async () => {
    await expect(httpsGet(`https://127.0.0.1:${ports.listener}/status`, { ca: readFileSync(pki.caFile) })).rejects.toThrow();
  });

  it('acks a vehicle record and logs it through the logger sink with the certificate VIN', async () => {
    vehicle = await connectVehicle(pki, ports.listener, 'wifi');
    vehicle.sendVehicleData('tx-1', 'Road Runner');
    const answer = await vehicle.answer('tx-1');
    expect(answer.messageType).toBe(MessageType.StreamAck);
    expect(new TextDecoder().decode(answer.topic)).toBe('V');

    await server.waitForLine(/^(?=.*"msg":"record_payload")(?=.*Road Runner)/);
    const record = jsonLines(server.stdout()).find((line) => line.msg === 'record_payload' && JSON.stringify(line).includes('Road Runner'));
    expect(record).toMatchObject({
      vin: vehicle.vin,
      metadata: { vin: vehicle.vin, txid: 'tx-1', txtype: 'V' },
      // The frame claimed another VIN; the certificate's wins.
      data: { Vin: vehicle.vin, VehicleName: 'Road Runner' },
    });
  });

  it('logs a CONNECTED connectivity record carrying the network interface', async () => {
    await server.waitForLine(/^(?=.*"msg":"record_payload")(?=.*"Status":"CONNECTED")/);
    expect(connectivityRecords(server, 'CONNECTED')).toEqual([
      expect.objectContaining({ vin: vehicle.vin, metadata: expect.objectContaining({ txtype: 'connectivity', txid: vehicle.socketId }) }),
    ]);
    expect(JSON.stringify(connectivityRecords(server, 'CONNECTED')[0])).toContain('"wifi"');
  });

  it('serves the reference metric names at /metrics', async () => {
    const answer = await httpGet(`http://127.0.0.1:${ports.metrics}/metrics`);
    expect(answer.status).toBe(200);
    for (const family of [
      '# TYPE record_total counter',
      '# TYPE record_size_bytes_total counter',
      '# TYPE dispatch_total counter',
      '# TYPE num_connections gauge',
      '# TYPE uptime_sec gauge',
    ]) {
      expect(answer.body).toContain(family);
    }
    expect(answer.body).toContain('record_total{record_type="V"} 1');
    expect(answer.body).toMatch(/^num_connections 1$/m);
    expect(answer.body).not.toMatch(/_total_total|otel_scope/);
  });

  it('on SIGTERM closes the vehicle socket, logs its DISCONNECTED record and exits 0', async () => {
    server.child.kill('SIGTERM');
    // The server's whole output in every failure message: shutdown ordering is what is under test.
    const output = (): string => `stdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`;
    expect(await server.exited, output()).toBe(0);
    expect(await vehicle.closed, output()).toBe(1001);
    const disconnected = connectivityRecords(server, 'DISCONNECTED');
    expect(disconnected, output()).toHaveLength(1);
    expect(JSON.stringify(disconnected[0])).toContain('"wifi"');
    const messages = jsonLines(server.stdout()).map((line) => line.msg);
    expect(messages.indexOf('flushing_sinks'), output()).toBeGreaterThan(messages.lastIndexOf('record_payload'));
    expect(messages.at(-1), output()).toBe('stopped');
  });
});

function connectivityRecords(server: ServerProcess, status: string): Record<string, unknown>[] {
  return jsonLines(server.stdout()).filter(
    (line) =>
      line.msg === 'record_payload' &&
      (line.metadata as Record<string, unknown> | undefined)?.txtype === 'connectivity' &&
      JSON.stringify(line.data).includes(`"${status}"`),
  );
}
