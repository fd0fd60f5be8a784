import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { ConnectivityEvent, decodeRecord } from '@fleet-telemetry/codec';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { startKinesalite, type Kinesalite } from '@fleet-telemetry/test-services';
import type { VehicleIdentity } from '@fleet-telemetry/vehicle-sim';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGet } from './process/harness.js';
import {
  metricValue,
  progressTracker,
  simulate,
  startServerProcess,
  stopServerProcess,
  waitUntil,
  type RunningServerProcess,
} from './sink-e2e.js';

// The sink finds credentials through the standard AWS chain; kinesalite checks none.
const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;

interface StoredRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

describe('the server with the Kinesis sink, simulator → server → kinesalite → GetRecords', () => {
  let directory: string;
  let kinesis: Kinesalite;
  let pki: DevPki;
  let identities: VehicleIdentity[];
  let admin: KinesisClient;
  const servers: RunningServerProcess[] = [];

  beforeAll(async () => {
    process.env.AWS_REGION = LOCAL_AWS.region;
    process.env.AWS_ACCESS_KEY_ID = LOCAL_AWS.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_AWS.credentials.secretAccessKey;
    directory = mkdtempSync(join(tmpdir(), 'ft-server-kinesis-'));
    // Not in memory: the streams outlive the restart in the outage test.
    [kinesis, pki] = await Promise.all([startKinesalite(), createDevPki(join(directory, 'pki'), { vehicles: 3 })]);
    identities = await Promise.all(
      pki.vehicles.map(async (vehicle) => ({ vin: vehicle.vin, cert: await readFile(vehicle.certFile), key: await readFile(vehicle.keyFile) })),
    );
    admin = new KinesisClient({ ...LOCAL_AWS, endpoint: kinesis.endpoint, requestHandler: new NodeHttpHandler() });
    await Promise.all(['tesla_V', 'tesla_connectivity'].map((stream) => createStream(admin, stream)));
  }, 120_000);

  afterAll(async () => {
    for (const running of servers) if (running.server.child.exitCode === null) running.server.child.kill('SIGKILL');
    admin?.destroy();
    await kinesis?.destroy();
    rmSync(directory, { recursive: true, force: true });
  }, 60_000);

  async function startServer(name: string, overrides: Record<string, unknown> = {}): Promise<RunningServerProcess> {
    const running = await startServerProcess(directory, name, pki, {
      kinesis: { override_host: kinesis.endpoint, retry_base_delay_ms: 50, retry_max_delay_ms: 500, delivery_timeout_ms: 180_000 },
      reliable_ack_sources: { V: 'kinesis' },
      records: { V: ['kinesis'], connectivity: ['kinesis'] },
      ...overrides,
    });
    servers.push(running);
    return running;
  }

  /** The records of one vehicle in a stream; kinesalite serves them all in one read. */
  async function recordsOf(stream: string, vin: string): Promise<StoredRecord[]> {
    return (await readStream(admin, stream)).filter((record) => record.partitionKey === vin);
  }

  it('writes V records keyed by the VIN and acks each once Kinesis stored it, with the connectivity events next to them', async () => {
    const running = await startServer('protobuf');
    const vin = identities[0]!.vin;
    const summary = await simulate(running, pki, { identities: identities.slice(0, 1), frames: 10, mix: 'V=1', networkInterface: 'cellular' });
    expect(summary).toMatchObject({ ok: true, sent: 10, acked: 10, errors: 0, unanswered: 0 });
    // Every ack waited for the sink's confirmation of its record.
    expect(await metricValue(running, 'kinesis_reliable_ack_total', { record_type: 'V' })).toBe(10);

    const stored = await recordsOf('tesla_V', vin);
    expect(stored).toHaveLength(10);
    for (const record of stored) {
      const decoded = decodeRecord({ topic: 'tesla_V', namespace: 'tesla', value: record.data });
      expect(decoded).toMatchObject({ recordType: 'V', encoding: 'protobuf', vin });
    }

    expect(await stopServerProcess(running)).toBe(0);
    const connectivity = await recordsOf('tesla_connectivity', vin);
    const events = connectivity.map((record) => decodeRecord({ recordType: 'connectivity', value: record.data }));
    expect(events.map((event) => event.encoding)).toEqual(['protobuf', 'protobuf']);
    expect(events.map((event) => event.message.status).sort()).toEqual([ConnectivityEvent.CONNECTED, ConnectivityEvent.DISCONNECTED]);
    for (const event of events) expect(event.message).toMatchObject({ vin, networkInterface: 'cellular' });
  }, 120_000);

  it('writes canonical proto JSON with transmit_decoded_records', async () => {
    const running = await startServer('json', { transmit_decoded_records: true });
    const vin = identities[1]!.vin;
    const summary = await simulate(running, pki, { identities: identities.slice(1, 2), frames: 5, mix: 'V=1' });
    expect(summary).toMatchObject({ ok: true, sent: 5, acked: 5, unanswered: 0 });

    const stored = await recordsOf('tesla_V', vin);
    expect(stored).toHaveLength(5);
    for (const record of stored) {
      const json = JSON.parse(Buffer.from(record.data).toString('utf8')) as { vin: string; createdAt: string };
      expect(json.vin).toBe(vin);
      expect(json.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(decodeRecord({ topic: 'tesla_V', namespace: 'tesla', value: record.data })).toMatchObject({ recordType: 'V', encoding: 'json', vin });
    }

    expect(await stopServerProcess(running)).toBe(0);
    const events = (await recordsOf('tesla_connectivity', vin)).map((record) => decodeRecord({ recordType: 'connectivity', value: record.data }));
    expect(events.map((event) => event.encoding)).toEqual(['json', 'json']);
    expect(events.map((event) => event.message.status).sort()).toEqual([ConnectivityEvent.CONNECTED, ConnectivityEvent.DISCONNECTED]);
  }, 120_000);

  it('holds the acks while Kinesis is down, keeps answering /status, and acks once the records are stored', async () => {
    const running = await startServer('outage');
    const vin = identities[2]!.vin;
    await kinesis.stop();

    const progress = progressTracker();
    const frames = 8;
    const run = simulate(running, pki, { identities: identities.slice(2, 3), frames, mix: 'V=1', timeoutMs: 150_000, ...progress.options });
    await progress.until((latest) => latest.sent === frames);
    await waitUntil('a failed PutRecords call', async () => (await metricValue(running, 'kinesis_put_records_calls_total', { outcome: 'failed' })) > 0);
    expect(await httpGet(running.statusUrl)).toEqual({ status: 200, body: 'ok' });
    await progress.next();
    expect(progress.latest?.acked).toBe(0);
    expect(running.server.child.exitCode).toBeNull();

    await kinesis.start();
    const summary = await run;
    expect(summary).toMatchObject({ ok: true, sent: frames, acked: frames, errors: 0, unanswered: 0 });
    expect(await recordsOf('tesla_V', vin)).toHaveLength(frames);
    expect(await stopServerProcess(running)).toBe(0);
  }, 180_000);
});

async function createStream(admin: KinesisClient, name: string): Promise<void> {
  await admin.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  await waitUntil(`stream ${name} to be active`, async () => {
    const summary = await admin.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    return summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  });
}

/** Every record of a one-shard stream, oldest first. */
async function readStream(admin: KinesisClient, name: string): Promise<StoredRecord[]> {
  const shards = await admin.send(new ListShardsCommand({ StreamName: name }));
  const iterator = await admin.send(
    new GetShardIteratorCommand({ StreamName: name, ShardId: shards.Shards?.[0]?.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const { Records = [] } = await admin.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
  return Records.map((record) => ({ partitionKey: record.PartitionKey ?? '', data: record.Data ?? new Uint8Array() }));
}
