// Confirmed records per second into the Pub/Sub emulator, beside the number of Publish calls the
// client made; and, for comparison, one publish awaited at a time, as the reference server does
// on each socket's path.
//
//   pnpm --filter @fleet-telemetry/sink-pubsub bench                          # defaults below
//   pnpm --filter @fleet-telemetry/sink-pubsub bench --records 50000 --size 600 --batch-ms 10
//   pnpm --filter @fleet-telemetry/sink-pubsub bench --host 127.0.0.1:8085    # a running emulator
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { startPubSubEmulator, type PubSubEmulator } from '@fleet-telemetry/test-services';
import type { Counter, Meter } from '@opentelemetry/api';
import { PubSubSink } from '../src/index.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '50000' },
    size: { type: 'string', default: '300' },
    vins: { type: 'string', default: '1000' },
    'batch-ms': { type: 'string', default: '10' },
    'batch-messages': { type: 'string', default: '1000' },
    sequential: { type: 'string', default: '1000' },
    host: { type: 'string' },
  },
});

const count = Number(values.records);
const payload = new Uint8Array(Number(values.size)).map((_, index) => index % 251);
const vins = Array.from({ length: Number(values.vins) }, (_, index) => `5YJ3E1EA7KF${String(index).padStart(6, '0')}`);

/** Just enough of a meter to count the sink's Publish calls. */
function callCounter(): { meter: Meter; calls: () => number } {
  let calls = 0;
  const counter = { add: (value: number) => void (calls += value) } as Counter;
  const noop = { add: () => {} } as unknown as Counter;
  const meter = {
    createCounter: (name: string) => (name === 'pubsub_publish_calls_total' ? counter : noop),
    createObservableGauge: () => ({ addCallback: () => {}, removeCallback: () => {} }),
  } as unknown as Meter;
  return { meter, calls: () => calls };
}

async function main(): Promise<void> {
  let emulator: PubSubEmulator | undefined;
  const host = values.host ?? (emulator = await startPubSubEmulator({ projectId: 'bench' })).host;
  const namespace = `bench${Date.now()}`;
  try {
    const batched = await run(host, namespace, count, false);
    console.log(
      `PubSubSink size=${payload.byteLength}B batch=${values['batch-messages']} msgs/${values['batch-ms']}ms: ${count} records confirmed in ${batched.seconds.toFixed(2)} s = ` +
        `${Math.round(count / batched.seconds)} records/s, ${batched.calls} Publish calls (${(count / batched.calls).toFixed(1)} records per call), ` +
        `ack latency p50 ${batched.p50.toFixed(1)} ms p99 ${batched.p99.toFixed(1)} ms, sink process CPU ${batched.cpuMicrosPerRecord.toFixed(1)} µs per record`,
    );
    const sequential = Number(values.sequential);
    if (sequential > 0) {
      const result = await run(host, namespace, sequential, true);
      console.log(
        `one publish awaited at a time (the reference's pattern on a socket): ${sequential} records in ${result.seconds.toFixed(2)} s = ${Math.round(sequential / result.seconds)} records/s, ${result.calls} Publish calls`,
      );
    }
  } finally {
    await emulator?.destroy();
  }
}

async function run(host: string, namespace: string, records: number, oneAtATime: boolean) {
  const counter = callCounter();
  const sink = new PubSubSink({
    namespace,
    recordTypes: ['V'],
    env: { PUBSUB_EMULATOR_HOST: host },
    meter: counter.meter,
    config: { gcp_project_id: 'bench', batch_max_ms: Number(values['batch-ms']), batch_max_messages: Number(values['batch-messages']) },
  });
  await sink.start();
  // Built before the clock starts: what is measured is the sink, not the record factory.
  const batch = Array.from({ length: records }, (_, index) => testRecord({ vin: vins[index % vins.length], payload }));
  const latencies = new Float64Array(records);
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (oneAtATime) {
    for (const [index, record] of batch.entries()) {
      const writtenAt = performance.now();
      await new Promise<void>((resolve, reject) => sink.write(record, (error) => (error ? reject(error) : resolve())));
      latencies[index] = performance.now() - writtenAt;
    }
  } else {
    await new Promise<void>((resolve, reject) => {
      let confirmed = 0;
      let next = 0;
      const feed = () => {
        // Like the transport: write until the sink asks for a pause, resume on its drain signal.
        while (next < records && !sink.isSaturated()) {
          const index = next++;
          const writtenAt = performance.now();
          sink.write(batch[index] as (typeof batch)[number], (error) => {
            if (error) return reject(error);
            latencies[index] = performance.now() - writtenAt;
            if (++confirmed === records) resolve();
          });
        }
      };
      sink.onDrain(feed);
      feed();
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await sink.close();
  latencies.sort();
  return {
    seconds,
    calls: counter.calls(),
    cpuMicrosPerRecord: (used.user + used.system) / records,
    p50: latencies[Math.floor(records * 0.5)] ?? 0,
    p99: latencies[Math.floor(records * 0.99)] ?? 0,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

