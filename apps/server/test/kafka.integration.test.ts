import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectivityEvent, Field, MessageType, decodeRecord, type Payload } from '@fleet-telemetry/codec';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { startKafka, type KafkaBroker } from '@fleet-telemetry/test-services';
import { runSimulation, type Progress, type SimulationOptions, type Summary, type VehicleIdentity } from '@fleet-telemetry/vehicle-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TopicReader, type ConsumedRecord } from './kafka-topics.js';
import { freePort, httpGet, spawnServer, type ServerProcess } from './process/harness.js';
import { connectVehicle } from './process/vehicle.js';

const METADATA_KEYS = ['vin', 'receivedat', 'timestamp', 'txid', 'txtype', 'version', 'device_client_version'];
const CLIENT_VERSION = '2024.44.25.3';
const BROKER_DOWN_LINE = /kafka broker unreachable at 127\.0\.0\.1:\d+; records will be retried until it is/;

interface RunningProcess {
  readonly server: ServerProcess;
  readonly url: string;
  readonly statusUrl: string;
  readonly metricsUrl: string;
}

describe('the server with the Kafka sink, simulator → server → broker → consumer', () => {
  let directory: string;
  let broker: KafkaBroker;
  let pki: DevPki;
  let identities: VehicleIdentity[];
  let reader: TopicReader;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ft-server-kafka-'));
    [broker, pki] = await Promise.all([startKafka(), createDevPki(join(directory, 'pki'), { vehicles: 4 })]);
    identities = await Promise.all(
      pki.vehicles.map(async (vehicle) => ({ vin: vehicle.vin, cert: await readFile(vehicle.certFile), key: await readFile(vehicle.keyFile) })),
    );
    reader = await TopicReader.connect(broker.bootstrapServers);
  }, 180_000);

  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await reader?.close();
    await broker?.destroy();
    rmSync(directory, { recursive: true, force: true });
  }, 60_000);

  /** Starts the server process with every record type routed to Kafka and V acked reliably. */
  async function startServer(name: string, overrides: Record<string, unknown> = {}, startedLine = /"msg":"started"/): Promise<RunningProcess> {
    const [port, statusPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const configPath = join(directory, `${name}.json`);
    writeFileSync(
      configPath,
      JSON.stringify({
        host: '127.0.0.1',
        port,
        status_port: statusPort,
        log_level: 'info',
        json_log_enable: true,
        namespace: 'tesla',
        monitoring: { prometheus_metrics_port: metricsPort },
        kafka: { 'bootstrap.servers': broker.bootstrapServers },
        reliable_ack_sources: { V: 'kafka' },
        records: { V: ['kafka'], alerts: ['kafka'], errors: ['kafka'], connectivity: ['kafka'] },
        tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: pki.chainFile },
        ...overrides,
      }),
    );
    const server = spawnServer([`-config=${configPath}`]);
    servers.push(server);
    await server.waitForLine(startedLine, 90_000);
    return {
      server,
      url: `wss://127.0.0.1:${port}`,
      statusUrl: `http://127.0.0.1:${statusPort}/status`,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    };
  }

  function simulate(target: RunningProcess, options: SimulationOptions): Promise<Summary> {
    return runSimulation({ url: target.url, caFile: pki.caFile, rate: 20, timeoutMs: 30_000, seed: 7, ...options });
  }

  async function stopServer(target: RunningProcess): Promise<void> {
    target.server.child.kill('SIGTERM');
    expect(await target.server.exited).toBe(0);
  }

  describe('with the broker up', () => {
    let running: RunningProcess;
    let summary: Summary;
    let spoofingVin: string;

    beforeAll(async () => {
      running = await startServer('up');
      summary = await simulate(running, { identities: identities.slice(0, 2), frames: 15, networkInterface: 'cellular' });
      // A frame whose payload claims another VIN than the certificate's (the simulator's carry the true one).
      const vehicle = await connectVehicle(pki, Number(new URL(running.url).port), 'wifi');
      spoofingVin = vehicle.vin;
      vehicle.sendVehicleData('tx-spoofed', 'Road Runner');
      expect((await vehicle.answer('tx-spoofed')).messageType).toBe(MessageType.StreamAck);
      vehicle.close();
      await vehicle.closed;
    }, 120_000);

    afterAll(async () => {
      if (running?.server.child.exitCode === null) await stopServer(running);
    }, 60_000);

    it('acks every simulated frame', () => {
      expect(summary).toMatchObject({ ok: true, connected: 2, errors: 0, unanswered: 0 });
      expect(summary.acked).toBe(summary.sent);
    });

    it('writes each V record to tesla_V keyed by the certificate VIN, with every metadata header', async () => {
      const records = await reader.readAll('tesla_V');
      expect(records).toHaveLength((summary.byTopic.V?.sent ?? 0) + 1);
      const simulatedVins = new Set(identities.slice(0, 2).map((identity) => identity.vin));
      for (const record of records) {
        const decoded = decodeRecord({ recordType: 'V', value: record.value, headers: record.headers });
        expect(Object.keys(decoded.metadata).sort()).toEqual([...METADATA_KEYS].sort());
        expect(decoded.encoding).toBe('protobuf');
        expect(decoded.message.vin).toBe(record.key);
        expect(decoded.metadata).toMatchObject({ vin: record.key, txtype: 'V', timestamp: '0', version: '0' });
        expect(Number(decoded.metadata['receivedat'])).toBeGreaterThan(1_600_000_000_000);
        if (decoded.metadata['txid'] !== 'tx-spoofed') {
          expect(simulatedVins.has(record.key ?? '')).toBe(true);
          expect(decoded.metadata['device_client_version']).toBe(CLIENT_VERSION);
        }
      }
    });

    it('stamps the certificate VIN over a spoofed one and keeps the data as sent', async () => {
      const spoofed = (await reader.readAll('tesla_V')).filter((record) => headerValue(record, 'txid') === 'tx-spoofed');
      expect(spoofed).toHaveLength(1);
      const decoded = decodeRecord({ recordType: 'V', value: spoofed[0]!.value, headers: spoofed[0]!.headers });
      expect(spoofed[0]!.key).toBe(spoofingVin);
      expect(decoded.message.vin).toBe(spoofingVin);
      expect(decoded.message.data).toEqual([
        expect.objectContaining({ key: Field.VehicleName, value: expect.objectContaining({ value: { case: 'stringValue', value: 'Road Runner' } }) }),
      ]);
    });

    it('turns every location text into a location_value', async () => {
      const payloads = (await reader.readAll('tesla_V')).map((record) => decodeRecord({ recordType: 'V', value: record.value }).message);
      const locations = payloads.flatMap((payload: Payload) => payload.data.filter((datum) => datum.key === Field.Location));
      expect(locations.length).toBeGreaterThan(0);
      for (const location of locations) {
        expect(location.value?.value.case).toBe('locationValue');
        if (location.value?.value.case !== 'locationValue') continue;
        // The simulator drives around the Bay Area: north and west, so the longitude is negative.
        expect(location.value.value.value.latitude).toBeGreaterThan(30);
        expect(location.value.value.value.longitude).toBeLessThan(-100);
      }
    });

    it('writes alerts and errors to their own topics, one record per frame', async () => {
      for (const type of ['alerts', 'errors'] as const) {
        const records = await reader.readAll(`tesla_${type}`);
        expect(records).toHaveLength(summary.byTopic[type]?.sent ?? 0);
        for (const record of records) {
          const decoded = decodeRecord({ topic: record.topic, namespace: 'tesla', value: record.value, headers: record.headers });
          expect(decoded.recordType).toBe(type);
          expect(decoded.vin).toBe(record.key);
        }
      }
    });

    it('writes a CONNECTED and a DISCONNECTED event with the network interface for every connection', async () => {
      // Disconnect events are dispatched as the server notices the close: wait for all six.
      const records = await reader.readUntil('tesla_connectivity', (found) => found.length >= 6);
      expect(records).toHaveLength(6);
      const events = records.map((record) => decodeRecord({ recordType: 'connectivity', value: record.value, headers: record.headers }).message);
      const statusesByConnection = new Map<string, ConnectivityEvent[]>();
      for (const event of events) statusesByConnection.set(event.connectionId, [...(statusesByConnection.get(event.connectionId) ?? []), event.status]);
      expect([...statusesByConnection.values()]).toEqual(Array(3).fill([ConnectivityEvent.CONNECTED, ConnectivityEvent.DISCONNECTED]));
      const interfaces = events.map((event) => `${event.vin} ${event.networkInterface}`);
      for (const identity of identities.slice(0, 2)) expect(interfaces.filter((entry) => entry === `${identity.vin} cellular`)).toHaveLength(2);
      expect(interfaces.filter((entry) => entry === `${spoofingVin} wifi`)).toHaveLength(2);
    });

    it("counts the sink's writes in the server's /metrics", async () => {
      const metrics = (await httpGet(running.metricsUrl)).body;
      expect(metrics).toContain(`kafka_produce_ack_total{record_type="V"} ${(summary.byTopic.V?.sent ?? 0) + 1}`);
      expect(metrics).toMatch(/^kafka_reliable_ack_total\{record_type="V"\} \d+$/m);
    });
  });

  it('holds the acks while the broker is down and sends them once it has the records, losing none', async () => {
    const running = await startServer('outage');
    const before = (await reader.readAll('tesla_V')).length;
    await broker.stop();

    const progress = latestProgress();
    const frames = 12;
    const run = simulate(running, { identities: identities.slice(2, 3), frames, mix: 'V=1', timeoutMs: 120_000, ...progress.options });
    await progress.until((latest) => latest.sent === frames);
    await running.server.waitForLine(BROKER_DOWN_LINE, 60_000);
    expect(await httpGet(running.statusUrl)).toEqual({ status: 200, body: 'ok' });
    await progress.next();
    expect(progress.latest?.acked).toBe(0);

    await broker.start();
    const summary = await run;
    expect(summary).toMatchObject({ ok: true, sent: frames, acked: frames, errors: 0, unanswered: 0 });
    const delivered = (await reader.readAll('tesla_V')).slice(before);
    expect(delivered).toHaveLength(frames);
    expect(new Set(delivered.map((record) => headerValue(record, 'txid'))).size).toBe(frames);
    expect(delivered.every((record) => record.key === identities[2]!.vin)).toBe(true);
    await stopServer(running);
  }, 240_000);

  it('starts while the broker is down, says so, and delivers and acks once it is up', async () => {
    const before = (await reader.readAll('tesla_V')).length;
    await broker.stop();
    const running = await startServer('down-at-start');
    expect(running.server.stdout()).toMatch(BROKER_DOWN_LINE);
    expect(await httpGet(running.statusUrl)).toEqual({ status: 200, body: 'ok' });

    const progress = latestProgress();
    const frames = 8;
    const run = simulate(running, { identities: identities.slice(3, 4), frames, mix: 'V=1', timeoutMs: 120_000, ...progress.options });
    await progress.until((latest) => latest.sent === frames);
    await progress.next();
    expect(progress.latest?.acked).toBe(0);

    await broker.start();
    const summary = await run;
    expect(summary).toMatchObject({ ok: true, sent: frames, acked: frames, unanswered: 0 });
    const delivered = (await reader.readAll('tesla_V')).slice(before);
    expect(delivered).toHaveLength(frames);
    expect(delivered.every((record) => record.key === identities[3]!.vin)).toBe(true);
    await stopServer(running);
  }, 300_000);

  it('writes canonical proto JSON with transmit_decoded_records', async () => {
    const running = await startServer('json', { transmit_decoded_records: true });
    const before = (await reader.readAll('tesla_V')).length;
    const summary = await simulate(running, { identities: identities.slice(0, 1), frames: 5, mix: 'V=1' });
    expect(summary).toMatchObject({ ok: true, acked: 5 });

    const records = (await reader.readAll('tesla_V')).slice(before);
    expect(records).toHaveLength(5);
    for (const record of records) {
      const json = JSON.parse(record.value.toString('utf8')) as { vin: string; isResend: boolean; createdAt: string; data: { key: string; value: Record<string, unknown> }[] };
      expect(json.vin).toBe(identities[0]!.vin);
      // Canonical: defaults are emitted, enums by name, timestamps as RFC 3339.
      expect(json.isResend).toBe(false);
      expect(json.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(json.data.find((datum) => datum.key === 'Location')?.value).toEqual({ locationValue: { latitude: expect.any(Number), longitude: expect.any(Number) } });
      expect(decodeRecord({ recordType: 'V', value: record.value, headers: record.headers })).toMatchObject({ encoding: 'json', vin: identities[0]!.vin });
    }
    await stopServer(running);
  }, 120_000);
});

function headerValue(record: ConsumedRecord, name: string): string | undefined {
  for (const header of record.headers) {
    const value = header[name];
    if (value !== undefined) return value.toString();
  }
  return undefined;
}

/**
 * The simulator's latest progress report, and ways to wait for one: reports come every 50 ms
 * while the run goes on.
 */
function latestProgress() {
  let latest: Progress | undefined;
  const listeners = new Set<() => void>();
  const wait = (accept: (progress: Progress) => boolean, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`the simulator did not report the expected progress; last: ${JSON.stringify(latest)}`));
      }, timeoutMs);
      const check = () => {
        if (latest === undefined || !accept(latest)) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      check();
    });
  return {
    get latest() {
      return latest;
    },
    options: {
      progressIntervalMs: 50,
      onProgress: (progress: Progress) => {
        latest = progress;
        for (const listener of listeners) listener();
      },
    },
    until: wait,
    /** The next report after this call, so a count read afterwards is current. */
    next() {
      const seen = latest;
      return wait((progress) => progress !== seen);
    },
  };
}
