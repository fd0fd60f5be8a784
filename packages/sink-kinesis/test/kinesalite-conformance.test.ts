import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describeSinkConformance } from '@fleet-telemetry/sink-api/conformance';
import { startKinesalite, type Kinesalite } from '@fleet-telemetry/test-services';
import { afterAll, beforeAll } from 'vitest';
import { KinesisSink } from '../src/index.js';
import { LOCAL_AWS, createStream, kinesisAdmin, readStream } from './support/kinesalite.js';

let server: Kinesalite;
let admin: KinesisClient;

beforeAll(async () => {
  server = await startKinesalite();
  admin = kinesisAdmin(server.endpoint);
  await createStream(admin, 'tesla_V', 2);
});

afterAll(async () => {
  admin?.destroy();
  await server?.destroy();
});

describeSinkConformance(
  'KinesisSink against kinesalite',
  async () => ({
    sink: new KinesisSink({ namespace: 'tesla', recordTypes: ['V'], config: { override_host: server.endpoint }, clientConfig: LOCAL_AWS, env: {} }),
    readBack: async () => (await readStream(admin, 'tesla_V')).map((record) => ({ payload: record.data, vin: record.partitionKey })),
  }),
  { recordType: 'V', timeoutMs: 15_000 },
);
