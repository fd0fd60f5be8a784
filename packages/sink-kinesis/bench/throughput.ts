// Confirmed records per second into a local Kinesis API (kinesalite), beside the number of API
// calls the sink made; and, for comparison, one PutRecord call per record as the reference
// server writes.
//
//   pnpm --filter @fleet-telemetry/sink-kinesis bench                        # defaults below
//   pnpm --filter @fleet-telemetry/sink-kinesis bench --records 50000 --size 600 --linger-ms 20
//   pnpm --filter @fleet-telemetry/sink-kinesis bench --endpoint http://127.0.0.1:4567   # an existing server
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { startKinesalite, type Kinesalite } from '@fleet-telemetry/test-services';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KinesisSink } from '../src/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '50000' },
    size: { type: 'string', default: '300' },
    shards: { type: 'string', default: '4' },
    vins: { type: 'string', default: '1000' },
    'linger-ms': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
    'per-record': { type: 'string', default: '2000' },
    endpoint: { type: 'string' },
  },
});

const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
const count = Number(values.records);
const payload = new Uint8Array(Number(values.size)).map((_, index) => index % 251);
const vins = Array.from({ length: Number(values.vins) }, (_, index) => `5YJ3E1EA7KF${String(index).padStart(6, '0')}`);

async function main(): Promise<void> {
  let server: Kinesalite | undefined;
  const endpoint = values.endpoint ?? (server = await startKinesalite({ inMemory: true })).endpoint;
  const stream = `bench${Date.now()}`;
  const admin = new KinesisClient({ ...LOCAL_AWS, endpoint, requestHandler: new NodeHttpHandler() });
  try {
    await admin.send(new CreateStreamCommand({ StreamName: `${stream}_V`, ShardCount: Number(values.shards) }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const settings = `size=${payload.byteLength}B shards=${values.shards} linger=${values['linger-ms']}ms concurrency=${values.concurrency}`;

    const batched = await batchedRun(endpoint, stream);
    console.log(
      `KinesisSink ${settings}: ${count} records confirmed in ${batched.seconds.toFixed(2)} s = ${Math.round(count / batched.seconds)} records/s, ` +
        `${batched.calls} PutRecords calls (${(count / batched.calls).toFixed(1)} records per call), ack latency p50 ${batched.p50.toFixed(1)} ms p99 ${batched.p99.toFixed(1)} ms, ` +
        `sink process CPU ${batched.cpuMicrosPerRecord.toFixed(1)} µs per record (kinesalite runs in its own process)`,
    );

    const perRecord = Number(values['per-record']);
    if (perRecord > 0) {
      const seconds = await perRecordRun(admin, `${stream}_V`, perRecord);
      console.log(`one PutRecord per record, sequential (the reference's pattern): ${perRecord} records in ${seconds.toFixed(2)} s = ${Math.round(perRecord / seconds)} records/s, ${perRecord} calls`);
    }
  } finally {
    admin.destroy();
    await server?.destroy();
  }
}

async function batchedRun(endpoint: string, namespace: string) {
  let calls = 0;
  const client = new KinesisClient({
    ...LOCAL_AWS,
    endpoint,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ requestTimeout: 10_000 }),
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutRecordsCommand') calls += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const sink = new KinesisSink({
    namespace,
    client,
    env: {},
    config: { linger_ms: Number(values['linger-ms']), max_concurrent_requests: Number(values.concurrency) },
  });
  await sink.start();
  // Built before the clock starts: what is measured is the sink, not the record factory.
  const records = Array.from({ length: count }, (_, index) => testRecord({ vin: vins[index % vins.length], payload }));
  const latencies = new Float64Array(count);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let confirmed = 0;
    let next = 0;
    const feed = () => {
      // Like the transport: write until the sink asks for a pause, resume on its drain signal.
      while (next < count && !sink.isSaturated()) {
        const index = next++;
        const writtenAt = performance.now();
        sink.write(records[index] as (typeof records)[number], (error) => {
          if (error) return reject(error);
          latencies[index] = performance.now() - writtenAt;
          if (++confirmed === count) resolve();
        });
      }
    };
    sink.onDrain(feed);
    feed();
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuMicrosPerRecord = (used.user + used.system) / count;
  await sink.close();
  client.destroy();
  latencies.sort();
  return { seconds, calls, cpuMicrosPerRecord, p50: latencies[Math.floor(count * 0.5)] ?? 0, p99: latencies[Math.floor(count * 0.99)] ?? 0 };
}

async function perRecordRun(admin: KinesisClient, stream: string, records: number): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < records; index += 1) {
    await admin.send(new PutRecordCommand({ StreamName: stream, PartitionKey: vins[index % vins.length], Data: payload }));
  }
  return (performance.now() - started) / 1000;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
