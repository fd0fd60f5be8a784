// Measures the sink alone against a real local broker: confirmed records per second, and the
// write-to-confirmation latency at a steady offered load.
//
//   pnpm --filter @fleet-telemetry/sink-kafka bench                  # defaults below
//   pnpm --filter @fleet-telemetry/sink-kafka bench --records 200000 --size 600 --poll-ms 5 --linger-ms 5
//   pnpm --filter @fleet-telemetry/sink-kafka bench --rate 5000 --seconds 10   # latency at 5k records/s
//   pnpm --filter @fleet-telemetry/sink-kafka bench --brokers 127.0.0.1:9092  # an existing broker
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { startKafka, type KafkaBroker } from '@fleet-telemetry/test-services';
import { KafkaSink } from '../src/index.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    size: { type: 'string', default: '600' },
    'poll-ms': { type: 'string', default: '5' },
    'linger-ms': { type: 'string', default: '5' },
    rate: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    brokers: { type: 'string' },
    vins: { type: 'string', default: '1000' },
  },
});

const size = Number(values.size);
const pollIntervalMs = Number(values['poll-ms']);
const lingerMs = Number(values['linger-ms']);
const vins = Array.from({ length: Number(values.vins) }, (_, index) => `5YJ3E1EA7KF${String(index).padStart(6, '0')}`);
const payload = new Uint8Array(size).map((_, index) => index % 251);

async function main(): Promise<void> {
  let broker: KafkaBroker | undefined;
  const brokers = values.brokers ?? (broker = await startKafka()).bootstrapServers;
  const sink = new KafkaSink({
    namespace: `bench${randomUUID().slice(0, 8)}`,
    config: { 'bootstrap.servers': brokers, 'linger.ms': lingerMs },
    pollIntervalMs,
  });
  try {
    await sink.start();
    await warmUp(sink);
    const settings = `size=${size}B poll=${pollIntervalMs}ms linger=${lingerMs}ms`;
    const cpu = { process: process.cpuUsage(), mainThreadNs: mainThreadNs() };
    if (values.rate === undefined) {
      const result = await throughput(sink, Number(values.records));
      console.log(
        `throughput ${settings}: ${result.records} records in ${result.seconds.toFixed(2)} s = ${Math.round(result.records / result.seconds)} confirmed records/s, ` +
          `ack latency ${describe(result.latencies)}, ${cpuPerRecord(cpu, result.records)}`,
      );
    } else {
      const result = await steadyLoad(sink, Number(values.rate), Number(values.seconds));
      console.log(`steady ${values.rate}/s ${settings}: ${result.records} records, ack latency ${describe(result.latencies)}, ${cpuPerRecord(cpu, result.records)}`);
    }
  } finally {
    await sink.close();
    await broker?.destroy();
  }
}

/** Topic creation and the first metadata round trip are not what is measured. */
async function warmUp(sink: KafkaSink): Promise<void> {
  await new Promise<void>((resolve, reject) => sink.write(record(0), (error) => (error ? reject(error) : resolve())));
}

// Built before the clock starts: what is measured is the sink, not the test-record factory.
const records = Array.from({ length: Math.max(Number(values.records), Number(values.rate ?? 0) * Number(values.seconds)) }, (_, index) =>
  testRecord({ vin: vins[index % vins.length], payload }),
);

function record(index: number) {
  return records[index % records.length] ?? testRecord({ payload });
}

/** Writes as fast as the sink takes records (pausing while it is saturated) until all are confirmed. */
async function throughput(sink: KafkaSink, count: number): Promise<{ records: number; seconds: number; latencies: Float64Array }> {
  const latencies = new Float64Array(count);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let written = 0;
    let confirmed = 0;
    const writeSome = () => {
      while (written < count && !sink.isSaturated()) {
        const index = written++;
        const at = performance.now();
        sink.write(record(index), (error) => {
          if (error) return reject(error);
          latencies[index] = performance.now() - at;
          if (++confirmed === count) resolve();
        });
      }
    };
    sink.onDrain(() => setImmediate(writeSome));
    writeSome();
  });
  return { records: count, seconds: (performance.now() - started) / 1000, latencies };
}

/** Offers `rate` records per second for `seconds`, in 10 ms slices, and records each ack latency. */
async function steadyLoad(sink: KafkaSink, rate: number, seconds: number): Promise<{ records: number; latencies: Float64Array }> {
  const count = Math.round(rate * seconds);
  const latencies = new Float64Array(count);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let written = 0;
    let confirmed = 0;
    const timer = setInterval(() => {
      const due = Math.min(count, Math.round(((performance.now() - started) / 1000) * rate));
      while (written < due) {
        const index = written++;
        const at = performance.now();
        sink.write(record(index), (error) => {
          if (error) return reject(error);
          latencies[index] = performance.now() - at;
          if (++confirmed === count) resolve();
        });
      }
      if (written === count) clearInterval(timer);
    }, 10);
  });
  return { records: count, latencies };
}

/**
 * This process's CPU time per record: all of it (the sink, node-rdkafka and librdkafka's threads),
 * and the main thread's alone, which in a server is shared with everything else on the event loop.
 */
function cpuPerRecord(since: { process: NodeJS.CpuUsage; mainThreadNs: number | undefined }, count: number): string {
  const used = process.cpuUsage(since.process);
  const now = mainThreadNs();
  const main = now === undefined || since.mainThreadNs === undefined ? 'n/a' : ((now - since.mainThreadNs) / 1000 / count).toFixed(1);
  return `client CPU ${((used.user + used.system) / count).toFixed(1)} µs/record (main thread ${main})`;
}

/** The main thread's time on a CPU so far in ns (Linux: its schedstat), undefined elsewhere. */
function mainThreadNs(): number | undefined {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

function describe(latencies: Float64Array): string {
  const sorted = Float64Array.from(latencies).sort();
  const at = (quantile: number) => (sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? 0).toFixed(1);
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
