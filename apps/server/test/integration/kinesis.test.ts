import { mkdtempSync } from 'node:fs';
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
import { MessageType } from '@fleet-telemetry/codec';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { startKinesalite, type Kinesalite } from '@fleet-telemetry/test-services';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/config/index.js';
import { PrometheusTextReader } from '../../src/metrics/reader.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { sinkCatalog } from '../../src/sinks/registry.js';
import { freePort } from '../process/harness.js';
import { connectVehicle } from '../process/vehicle.js';

// The Kinesis sink finds credentials through the standard AWS chain; a local Kinesis checks none.
const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } as const;

describe('the server with a Kinesis sink as reliable-ack source (kinesalite)', () => {
  let kinesis: Kinesalite;
  let admin: KinesisClient;
  let pki: DevPki;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    process.env.AWS_REGION = LOCAL_AWS.region;
    process.env.AWS_ACCESS_KEY_ID = LOCAL_AWS.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_AWS.credentials.secretAccessKey;
    [kinesis, pki] = await Promise.all([
      startKinesalite({ inMemory: true }),
      createDevPki(join(mkdtempSync(join(tmpdir(), 'ft-kinesis-')), 'pki'), { vehicles: 1 }),
    ]);
    admin = new KinesisClient({ ...LOCAL_AWS, endpoint: kinesis.endpoint, requestHandler: new NodeHttpHandler() });
    await Promise.all(['tesla_V', 'tesla_connectivity'].map((stream) => createStream(admin, stream)));
  });

  afterAll(async () => {
    await server?.stop();
    admin?.destroy();
    await kinesis?.destroy();
  });

  it('acks a V record once Kinesis stored it, keyed by the VIN, next to the connectivity record', async () => {
    const loaded = parseServerConfig(
      JSON.stringify({
        host: '127.0.0.1',
        port: await freePort(),
        namespace: 'tesla',
        kinesis: { override_host: kinesis.endpoint },
        reliable_ack_sources: { V: 'kinesis' },
        records: { V: ['kinesis', 'logger'], connectivity: ['kinesis'] },
        tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: pki.chainFile },
      }),
      { sinks: sinkCatalog() },
    );
    server = await startServer({ loaded, logger: pino({ level: 'silent' }), metricsReader: new PrometheusTextReader() });

    const vehicle = await connectVehicle(pki, server.port, 'wifi');
    vehicle.sendVehicleData('tx-kinesis', 'Coyote');
    const ack = await vehicle.answer('tx-kinesis');
    expect(ack.messageType).toBe(MessageType.StreamAck);

    // Acked means stored: the record is in the stream now, without waiting.
    const stored = await readStream(admin, 'tesla_V');
    expect(stored).toHaveLength(1);
    expect(stored[0]?.partitionKey).toBe(vehicle.vin);
    expect(Buffer.from(stored[0]?.data ?? []).includes('Coyote')).toBe(true);

    vehicle.close();
    await vehicle.closed;
    await server.stop();
    const connectivity = await readStream(admin, 'tesla_connectivity');
    expect(connectivity.map((record) => record.partitionKey)).toEqual([vehicle.vin, vehicle.vin]);
  });
});

async function createStream(admin: KinesisClient, name: string): Promise<void> {
  await admin.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  for (;;) {
    const summary = await admin.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every record of a one-shard stream, oldest first. */
async function readStream(admin: KinesisClient, name: string): Promise<{ partitionKey: string; data: Uint8Array }[]> {
  const shards = await admin.send(new ListShardsCommand({ StreamName: name }));
  const iterator = await admin.send(
    new GetShardIteratorCommand({ StreamName: name, ShardId: shards.Shards?.[0]?.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  const { Records = [] } = await admin.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
  return Records.map((record) => ({ partitionKey: record.PartitionKey ?? '', data: record.Data ?? new Uint8Array() }));
}
