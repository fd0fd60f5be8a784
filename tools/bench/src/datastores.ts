import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { startKafka, startKinesalite, startPubSubEmulator, waitFor } from '@fleet-telemetry/test-services';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { findProcess } from './process-cpu.js';

export const DATASTORE_NAMES = ['kafka', 'kinesis', 'pubsub'] as const;
export type DatastoreName = (typeof DATASTORE_NAMES)[number];

/** A local service the datastore benchmark writes into, and how the server reaches it. */
export interface BenchDatastore {
  readonly description: string;
  /** The service's process, for its CPU share. */
  readonly pid: number;
  /** The server config's section for the sink of the same name. */
  readonly configSection: Readonly<Record<string, unknown>>;
  /** Environment the server process needs (credentials, emulator address). */
  readonly serverEnv: Readonly<Record<string, string>>;
  /** The sink's counter of records written. */
  readonly recordsMetric: string;
  /** The sink's counter of API calls, where the sink can count them (librdkafka batches out of sight). */
  readonly callsMetric: string | undefined;
  destroy(): Promise<void>;
}

// Local services check no credentials, but the AWS SDK wants some before it sends anything.
const LOCAL_AWS = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' } as const;
const KINESIS_SHARDS = 4;

export async function startDatastore(name: DatastoreName): Promise<BenchDatastore> {
  switch (name) {
    case 'kafka':
      return startKafkaDatastore();
    case 'kinesis':
      return startKinesisDatastore();
    case 'pubsub':
      return startPubSubDatastore();
  }
}

async function startKafkaDatastore(): Promise<BenchDatastore> {
  const broker = await startKafka({ heap: '1g' });
  return {
    description: `Kafka broker ${broker.bootstrapServers}`,
    pid: await serviceProcess(broker.dataDir + '/server.properties', () => broker.destroy()),
    configSection: { 'bootstrap.servers': broker.bootstrapServers },
    serverEnv: {},
    recordsMetric: 'kafka_produce_ack_total',
    callsMetric: undefined,
    destroy: () => broker.destroy(),
  };
}

async function startKinesisDatastore(): Promise<BenchDatastore> {
  const kinesalite = await startKinesalite({ inMemory: true });
  const admin = new KinesisClient({
    region: LOCAL_AWS.AWS_REGION,
    credentials: { accessKeyId: LOCAL_AWS.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS.AWS_SECRET_ACCESS_KEY },
    endpoint: kinesalite.endpoint,
    requestHandler: new NodeHttpHandler(),
  });
  try {
    await admin.send(new CreateStreamCommand({ StreamName: 'tesla_V', ShardCount: KINESIS_SHARDS }));
    await waitFor('stream tesla_V to be active', async () => {
      const summary = await admin.send(new DescribeStreamSummaryCommand({ StreamName: 'tesla_V' }));
      return summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
    }, 30_000);
  } catch (error) {
    await kinesalite.destroy();
    throw error;
  } finally {
    admin.destroy();
  }
  return {
    description: `kinesalite ${kinesalite.endpoint}, stream tesla_V with ${KINESIS_SHARDS} shards`,
    pid: await serviceProcess(`"port":${kinesalite.port}`, () => kinesalite.destroy()),
    configSection: { override_host: kinesalite.endpoint },
    serverEnv: LOCAL_AWS,
    recordsMetric: 'kinesis_publish_total',
    callsMetric: 'kinesis_put_records_calls_total',
    destroy: () => kinesalite.destroy(),
  };
}

async function startPubSubDatastore(): Promise<BenchDatastore> {
  const emulator = await startPubSubEmulator({ heap: '1g' });
  return {
    // Topics without subscriptions: the emulator accepts each message and keeps none.
    description: `Pub/Sub emulator ${emulator.host}, project ${emulator.projectId}`,
    pid: await serviceProcess(`--port=${emulator.port}`, () => emulator.destroy(), 'java'),
    configSection: { gcp_project_id: emulator.projectId },
    serverEnv: { PUBSUB_EMULATOR_HOST: emulator.host },
    recordsMetric: 'pubsub_publish_total',
    callsMetric: 'pubsub_publish_calls_total',
    destroy: () => emulator.destroy(),
  };
}

/** The pid of the service, found by its command line; stops the service when it cannot be found. */
async function serviceProcess(fragment: string, destroy: () => Promise<void>, program?: string): Promise<number> {
  const pid = findProcess(fragment, program);
  if (pid !== undefined) return pid;
  await destroy();
  throw new Error(`cannot find the process whose command line holds ${fragment}`);
}
