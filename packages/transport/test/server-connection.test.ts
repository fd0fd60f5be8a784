import { fromBinary } from '@bufbuild/protobuf';
import { request } from 'node:https';
import { ConnectivityEvent, VehicleConnectivitySchema } from '@fleet-telemetry/codec';
import { ExtKeyUsage } from '@fleet-telemetry/dev-pki';
import { MemorySink } from '@fleet-telemetry/sink-api/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionInfo, DisconnectionInfo } from '../src/index.js';
import { attemptConnection, eventually, VehicleClient } from './support/client.js';
import { readResponse, streamFrame, vehicleData, vin } from './support/frames.js';
import { createTestPki, type TestPki } from './support/pki.js';
import { startServer, type RunningServer } from './support/server.js';

let pki: TestPki;
let running: RunningServer | undefined;
const clients: VehicleClient[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  return () => pki.dispose();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await running?.close();
  running = undefined;
});

async function connect(options: Parameters<RunningServer['connect']>[0] = {}): Promise<VehicleClient> {
  const client = await running!.connect(options);
  clients.push(client);
  return client;
}

function get(port: number, path: string, certificate: { cert: string; key: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', ca: pki.serverCa, cert: certificate.cert, key: certificate.key },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the mTLS endpoint', () => {
  it('answers GET /status with 200 mtls ok', async () => {
    running = await startServer(pki);
    const certificate = await pki.vehicle({ vin });
    expect(await get(running.port, '/status', certificate)).toEqual({ status: 200, body: 'mtls ok' });
    expect((await get(running.port, '/other', certificate)).status).toBe(400);
  });

  it('refuses a client without a certificate', async () => {
    running = await startServer(pki);
    const outcome = await attemptConnection(running.port, running.clientOptions({ certificate: undefined }));
    expect(outcome.kind === 'refused' || !outcome.opened).toBe(true);
    expect(running.server.connectionCount).toBe(0);
  });

  it('refuses a certificate from an issuer it does not trust', async () => {
    running = await startServer(pki);
    const certificate = await pki.untrusted({ vin });
    const outcome = await attemptConnection(running.port, running.clientOptions({ certificate }));
    expect(outcome.kind === 'refused' || !outcome.opened).toBe(true);
    expect(running.server.connectionCount).toBe(0);
  });

  it('closes the WebSocket of a trusted certificate whose issuer is not a Tesla issuer', async () => {
    running = await startServer(pki);
    const connected: ConnectionInfo[] = [];
    running.server.on('connected', (info) => connected.push(info));
    const certificate = await pki.fromIssuer('Acme Device CA', { vin });
    const outcome = await attemptConnection(running.port, running.clientOptions({ certificate }));
    expect(outcome).toMatchObject({ kind: 'closed', opened: true, code: 1008, reason: 'unknown-issuer' });
    expect(connected).toEqual([]);
  });

  it('closes the WebSocket of the excluded Wi-Fi EAP certificate', async () => {
    running = await startServer(pki);
    const certificate = await pki.vehicle({ vin, extKeyUsageOids: ['1.3.6.1.4.1.49279.2.5.1.1', ExtKeyUsage.teslaVehicleDevice] });
    const outcome = await attemptConnection(running.port, running.clientOptions({ certificate }));
    expect(outcome).toMatchObject({ kind: 'closed', opened: true, code: 1008, reason: 'excluded-certificate' });
    expect(running.server.connectionCount).toBe(0);
  });

  it('closes the WebSocket of a certificate without a Tesla client type', async () => {
    running = await startServer(pki);
    const certificate = await pki.vehicle({ vin, extKeyUsageOids: [] });
    const outcome = await attemptConnection(running.port, running.clientOptions({ certificate }));
    expect(outcome).toMatchObject({ kind: 'closed', opened: true, code: 1008, reason: 'unauthorized-certificate' });
  });

  it('trusts certificates chaining to ca_file only when it is configured', async () => {
    // Without ca_file only Tesla's bundle is trusted, so the dev PKI's vehicles are refused.
    const { TelemetryServer, createTlsOptions } = await import('../src/index.js');
    const { RecordRouter } = await import('@fleet-telemetry/sink-api');
    const server = new TelemetryServer({
      tls: createTlsOptions({ serverCert: pki.pki.serverCertFile, serverKey: pki.pki.serverKeyFile }),
      dispatcher: new RecordRouter({ routes: {} }),
    });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const outcome = await attemptConnection(port, { ca: pki.serverCa, certificate: await pki.vehicle({ vin }) });
      expect(outcome.kind === 'refused' || !outcome.opened).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('connections', () => {
  it('takes the socket id from X-TXID and announces the connection with its headers', async () => {
    running = await startServer(pki);
    const connected = new Promise<ConnectionInfo>((resolve) => running!.server.once('connected', resolve));
    const txid = '0F8FAD5B-D9CB-469F-A165-70867728950E';
    await connect({ headers: { 'X-TXID': txid, 'X-Network-Interface': 'wifi', Version: '2024.44.25', 'User-Agent': 'car/1' } });
    expect(await connected).toMatchObject({
      socketId: txid.toLowerCase(),
      deviceId: vin,
      clientType: 'vehicle_device',
      senderId: `vehicle_device.${vin}`,
      networkInterface: 'wifi',
      version: '2024.44.25',
      userAgent: 'car/1',
    });
    expect(running.server.socket(txid.toLowerCase())?.info.deviceId).toBe(vin);
    expect(running.server.connectionCount).toBe(1);
    expect(await running.metrics.value('num_connections')).toBe(1);
  });

  it('makes up a socket id when X-TXID is not a UUID', async () => {
    running = await startServer(pki);
    const connected = new Promise<ConnectionInfo>((resolve) => running!.server.once('connected', resolve));
    await connect({ headers: { 'X-TXID': 'not-a-uuid' } });
    expect((await connected).socketId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('dispatches connectivity records on connect and disconnect', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    running = await startServer(pki, { routes: { connectivity: [sink] } });
    const disconnected = new Promise<DisconnectionInfo>((resolve) => running!.server.once('disconnected', resolve));
    const txid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const client = await connect({ headers: { 'X-TXID': txid, 'X-Network-Interface': 'cellular' } });
    await client.close();
    await disconnected;
    const events = sink.records.map((record) => ({
      record,
      message: fromBinary(VehicleConnectivitySchema, record.payload),
    }));
    expect(events.map(({ message }) => message.status)).toEqual([
      ConnectivityEvent.CONNECTED,
      ConnectivityEvent.DISCONNECTED,
    ]);
    for (const { record, message } of events) {
      expect(record).toMatchObject({ recordType: 'connectivity', txid, socketId: txid, vin });
      expect(message).toMatchObject({ vin, connectionId: txid, networkInterface: 'cellular' });
    }
  });

  it('dispatches no connectivity record when connectivityEvents is off', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    running = await startServer(pki, { routes: { connectivity: [sink] }, connectivityEvents: false });
    const client = await connect();
    await client.close();
    expect(sink.records).toEqual([]);
  });

  it('ends the session on a text frame', async () => {
    running = await startServer(pki);
    const disconnected = new Promise<DisconnectionInfo>((resolve) => running!.server.once('disconnected', resolve));
    const client = await connect();
    client.send('hello');
    expect((await client.closed).code).toBe(1003);
    expect((await disconnected).deviceId).toBe(vin);
    expect(running.server.connectionCount).toBe(0);
  });

  it('ends only the session whose frame the pipeline cannot handle', async () => {
    const { TelemetryServer, createTlsOptions } = await import('../src/index.js');
    const { RecordRouter } = await import('@fleet-telemetry/sink-api');
    const router = new RecordRouter({ routes: {} });
    const server = new TelemetryServer({
      tls: createTlsOptions({
        serverCert: pki.pki.serverCertFile,
        serverKey: pki.pki.serverKeyFile,
        caFile: pki.pki.chainFile,
      }),
      dispatcher: {
        hasRoute: (recordType) => {
          if (recordType === 'V') throw new Error('broken dispatcher');
          return false;
        },
        dispatch: (record, onAck) => router.dispatch(record, onAck),
        isSaturated: () => false,
        onDrain: () => () => {},
      },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const client = await VehicleClient.connect(port, { ca: pki.serverCa, certificate: await pki.vehicle({ vin }) });
      clients.push(client);
      client.send(streamFrame({ txid: 'x', topic: 'V', payload: vehicleData() }));
      expect((await client.closed).code).toBe(1011);
      await eventually(() => server.connectionCount === 0, 'the socket to be deregistered');
    } finally {
      await server.close();
    }
  });

  it('pings every socket and keeps the ones that answer', async () => {
    running = await startServer(pki, { limits: { pingIntervalMs: 20, idleTimeoutMs: 400 } });
    const client = await connect();
    // 50 pings span more than twice the idle timeout: only the pongs keep the socket.
    await client.until(() => client.pings >= 50, '50 pings');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(running.server.connectionCount).toBe(1);
  });

  it('drops a socket that stops answering', async () => {
    running = await startServer(pki, { limits: { pingIntervalMs: 20, idleTimeoutMs: 100 } });
    const disconnected = new Promise<DisconnectionInfo>((resolve) => running!.server.once('disconnected', resolve));
    const client = await connect({ autoPong: false });
    expect((await client.closed).code).toBe(1006);
    expect((await disconnected).closeCode).toBe(1006);
    expect(client.pings).toBeGreaterThan(0);
  });

  it('swaps its TLS context for new connections', async () => {
    running = await startServer(pki);
    const { createTlsOptions } = await import('../src/index.js');
    // Without the dev chain in the trust list, new dev certificates are refused.
    running.server.setSecureContext(
      createTlsOptions({ serverCert: pki.pki.serverCertFile, serverKey: pki.pki.serverKeyFile }),
    );
    const outcome = await attemptConnection(running.port, running.clientOptions({ certificate: await pki.vehicle({ vin }) }));
    expect(outcome.kind === 'refused' || !outcome.opened).toBe(true);
  });
});

describe('graceful shutdown', () => {
  it('closes every socket with 1001 and emits disconnected for each', async () => {
    running = await startServer(pki);
    const first = await connect();
    const second = await connect();
    const disconnected: DisconnectionInfo[] = [];
    running.server.on('disconnected', (info) => disconnected.push(info));
    await running.server.close({ drainTimeoutMs: 1_000 });
    expect((await first.closed).code).toBe(1001);
    expect((await second.closed).code).toBe(1001);
    expect(disconnected).toHaveLength(2);
    expect(running.server.connectionCount).toBe(0);
    const refused = await attemptConnection(running.port, running.clientOptions({ certificate: await pki.vehicle({ vin }) }));
    expect(refused.kind).toBe('refused');
  });

  it('sends the acks of records confirmed while draining before closing', async () => {
    const { ManualSink } = await import('@fleet-telemetry/sink-api/testing');
    const sink = new ManualSink({ name: 'kafka' });
    running = await startServer(pki, { routes: { V: [sink] }, reliableAck: { V: 'kafka' } });
    const client = await connect();
    client.send(streamFrame({ txid: 'in-flight', topic: 'V', payload: vehicleData() }));
    await eventually(() => sink.pending === 1, 'the record to reach the sink');
    const closing = running.server.close({ drainTimeoutMs: 10_000 });
    sink.confirm();
    await closing;
    expect(client.received.map((frame) => readResponse(frame).txid)).toEqual(['in-flight']);
    expect((await client.closed).code).toBe(1001);
  });
});
