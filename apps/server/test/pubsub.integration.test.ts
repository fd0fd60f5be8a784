import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectivityEvent, decodeRecord } from '@fleet-telemetry/codec';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { startPubSubEmulator, type PubSubEmulator } from '@fleet-telemetry/test-services';
import type { VehicleIdentity } from '@fleet-telemetry/vehicle-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from './process/harness.js';
import { PubSubEmulatorAdmin, tcpGate, type PulledMessage, type TcpGate } from './pubsub-emulator.js';
import {
  metricValue,
  progressTracker,
  simulate,
  startServerProcess,
  stopServerProcess,
  waitUntil,
  type RunningServerProcess,
} from './sink-e2e.js';

const METADATA_KEYS = ['vin', 'receivedat', 'timestamp', 'txid', 'txtype', 'version', 'device_client_version'];
const TOPICS = ['tesla_V', 'tesla_connectivity'];

describe('the server with the Pub/Sub sink, simulator → server → emulator → subscription pull', () => {
  let directory: string;
  let emulator: PubSubEmulator;
  let gate: TcpGate;
  let admin: PubSubEmulatorAdmin;
  let pki: DevPki;
  let identities: VehicleIdentity[];
  const servers: RunningServerProcess[] = [];

  async function createTopicsAndSubscriptions(): Promise<void> {
    for (const topic of TOPICS) {
      await admin.createTopic(topic);
      await admin.subscribe(topic);
    }
  }

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ft-server-pubsub-'));
    [emulator, pki] = await Promise.all([startPubSubEmulator({ projectId: 'fleet' }), createDevPki(join(directory, 'pki'), { vehicles: 3 })]);
    identities = await Promise.all(
      pki.vehicles.map(async (vehicle) => ({ vin: vehicle.vin, cert: await readFile(vehicle.certFile), key: await readFile(vehicle.keyFile) })),
    );
    admin = new PubSubEmulatorAdmin(emulator.host, emulator.projectId);
    // Subscriptions before any publish: a topic keeps nothing for subscribers that come later.
    await createTopicsAndSubscriptions();
    // The server reaches the emulator through a gate, closed during the outage test.
    gate = await tcpGate(emulator.port);
    process.env.PUBSUB_EMULATOR_HOST = gate.host;
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  }, 150_000);

  afterAll(async () => {
    for (const running of servers) if (running.server.child.exitCode === null) running.server.child.kill('SIGKILL');
    await gate?.dispose();
    await emulator?.destroy();
    rmSync(directory, { recursive: true, force: true });
  }, 60_000);

  async function startServer(name: string, overrides: Record<string, unknown> = {}): Promise<RunningServerProcess> {
    const running = await startServerProcess(directory, name, pki, {
      pubsub: { gcp_project_id: emulator.projectId, retry_base_delay_ms: 50, retry_max_delay_ms: 500, delivery_timeout_ms: 180_000 },
      reliable_ack_sources: { V: 'pubsub' },
      records: { V: ['pubsub'], connectivity: ['pubsub'] },
      ...overrides,
    });
    servers.push(running);
    return running;
  }

  async function messagesOf(topic: string, vin: string): Promise<PulledMessage[]> {
    return (await admin.readAll(topic)).filter((message) => message.attributes['vin'] === vin);
  }

  it('publishes V records with the metadata as attributes and acks each once Pub/Sub has it, with the connectivity events next to them', async () => {
    const running = await startServer('protobuf');
    const vin = identities[0]!.vin;
    const summary = await simulate(running, pki, { identities: identities.slice(0, 1), frames: 10, mix: 'V=1', networkInterface: 'cellular' });
    expect(summary).toMatchObject({ ok: true, sent: 10, acked: 10, errors: 0, unanswered: 0 });
    // Every ack waited for the sink's confirmation of its record.
    expect(await metricValue(running, 'pubsub_reliable_ack_total', { record_type: 'V' })).toBe(10);

    const messages = await messagesOf('tesla_V', vin);
    expect(messages).toHaveLength(10);
    expect(new Set(messages.map((message) => message.attributes['txid'])).size).toBe(10);
    for (const message of messages) {
      expect(Object.keys(message.attributes).sort()).toEqual([...METADATA_KEYS].sort());
      expect(message.attributes).toMatchObject({ vin, txtype: 'V', device_client_version: '2024.44.25.3' });
      const decoded = decodeRecord({ value: message.data, headers: message.attributes });
      expect(decoded).toMatchObject({ recordType: 'V', encoding: 'protobuf', vin });
    }

    expect(await stopServerProcess(running)).toBe(0);
    const events = (await messagesOf('tesla_connectivity', vin)).map((message) =>
      decodeRecord({ recordType: 'connectivity', value: message.data, headers: message.attributes }),
    );
    expect(events.map((event) => event.encoding)).toEqual(['protobuf', 'protobuf']);
    expect(events.map((event) => event.message.status).sort()).toEqual([ConnectivityEvent.CONNECTED, ConnectivityEvent.DISCONNECTED]);
    for (const event of events) expect(event.message).toMatchObject({ vin, networkInterface: 'cellular' });
  }, 120_000);

  it('publishes canonical proto JSON with transmit_decoded_records', async () => {
    const running = await startServer('json', { transmit_decoded_records: true });
    const vin = identities[1]!.vin;
    const summary = await simulate(running, pki, { identities: identities.slice(1, 2), frames: 5, mix: 'V=1' });
    expect(summary).toMatchObject({ ok: true, sent: 5, acked: 5, unanswered: 0 });

    const messages = await messagesOf('tesla_V', vin);
    expect(messages).toHaveLength(5);
    for (const message of messages) {
      const json = JSON.parse(Buffer.from(message.data).toString('utf8')) as { vin: string; createdAt: string };
      expect(json.vin).toBe(vin);
      expect(json.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(decodeRecord({ value: message.data, headers: message.attributes })).toMatchObject({ recordType: 'V', encoding: 'json', vin });
    }

    expect(await stopServerProcess(running)).toBe(0);
    const events = (await messagesOf('tesla_connectivity', vin)).map((message) =>
      decodeRecord({ recordType: 'connectivity', value: message.data, headers: message.attributes }),
    );
    expect(events.map((event) => event.encoding)).toEqual(['json', 'json']);
    expect(events.map((event) => event.message.status).sort()).toEqual([ConnectivityEvent.CONNECTED, ConnectivityEvent.DISCONNECTED]);
  }, 120_000);

  // Last: it restarts the emulator, which then has no topics.
  it('holds the acks while Pub/Sub is down, keeps answering /status, and acks once the records are published', async () => {
    const running = await startServer('outage');
    const vin = identities[2]!.vin;
    await emulator.stop();
    gate.close();

    const progress = progressTracker();
    const frames = 8;
    const run = simulate(running, pki, { identities: identities.slice(2, 3), frames, mix: 'V=1', timeoutMs: 150_000, ...progress.options });
    await progress.until((latest) => latest.sent === frames);
    await waitUntil('publishes finding Pub/Sub unreachable', async () => (await metricValue(running, 'pubsub_not_connected_total')) >= frames);
    expect(await httpGet(running.statusUrl)).toEqual({ status: 200, body: 'ok' });
    await progress.next();
    expect(progress.latest?.acked).toBe(0);
    expect(running.server.child.exitCode).toBeNull();

    // The restarted emulator starts empty: topics and subscriptions first, then the server may reach it.
    await emulator.start();
    await createTopicsAndSubscriptions();
    gate.open();

    const summary = await run;
    expect(summary).toMatchObject({ ok: true, sent: frames, acked: frames, errors: 0, unanswered: 0 });
    const messages = await messagesOf('tesla_V', vin);
    expect(new Set(messages.map((message) => message.attributes['txid'])).size).toBe(frames);
    expect(await metricValue(running, 'pubsub_err')).toBe(0);
    expect(await stopServerProcess(running)).toBe(0);
  }, 240_000);
});
