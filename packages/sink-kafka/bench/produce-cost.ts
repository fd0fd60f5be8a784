// What node-rdkafka costs the event-loop thread per record, by what a produce() call carries:
// the main thread is where the server decodes frames too, so this is the share of the server's
// per-record CPU that the client library takes. Linux only (the thread's time comes from /proc).
//
//   pnpm --filter @fleet-telemetry/sink-kafka exec tsx bench/produce-cost.ts
//   pnpm --filter @fleet-telemetry/sink-kafka exec tsx bench/produce-cost.ts --records 50000 --rounds 5 --brokers 127.0.0.1:9092
//
// Each variant produces `--records` records of 283 bytes (the size of a realistic V record) to a
// fresh topic in chunks of 1,000, polling between chunks, until every delivery report is in. It
// reports, per record: the main thread's CPU inside produce(), its CPU for everything else
// (polling, delivery reports reaching JavaScript, the loop), and the whole process's CPU
// (librdkafka's own threads included). Variants alternate within each round; medians are shown.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startKafka, type KafkaBroker } from '@fleet-telemetry/test-services';
import Kafka, { type MessageHeader } from 'node-rdkafka';
import { metadataHeaders } from '../src/index.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '3' },
    brokers: { type: 'string' },
  },
});
const recordCount = Number(values.records);
const rounds = Number(values.rounds);
const CHUNK = 1_000;
const payload = Buffer.alloc(283, 7);
const vins = Array.from({ length: 1_000 }, (_, index) => `5YJ3E1EA7KF${String(index).padStart(6, '0')}`);

interface Variant {
  readonly name: string;
  readonly headers: boolean;
  readonly opaque: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'as the sink: key, opaque, 7 headers', headers: true, opaque: true },
  { name: 'without headers', headers: false, opaque: true },
  { name: 'without opaque', headers: true, opaque: false },
  { name: 'key only', headers: false, opaque: false },
];

interface Cost {
  readonly produceUs: number;
  readonly otherMainUs: number;
  readonly processUs: number;
}

/** The main thread's time on a CPU so far, in ns (the first field of its schedstat). */
function mainThreadNs(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
}

function processCpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

function headersOf(index: number): MessageHeader[] {
  return metadataHeaders({
    vin: vins[index % vins.length] ?? '',
    receivedat: String(1_764_547_200_000 + index),
    timestamp: '0',
    txid: `6f0c1e2a-${index}`,
    txtype: 'V',
    version: '0',
    device_client_version: '2025.44.25.1',
  });
}

async function measure(producer: Kafka.Producer, variant: Variant, run: string): Promise<Cost> {
  const topic = `produce_cost_${run}`;
  let delivered = 0;
  const onReport = () => {
    delivered += 1;
  };
  producer.on('delivery-report', onReport);
  const send = (index: number) =>
    producer.produce(
      topic,
      null,
      payload,
      vins[index % vins.length],
      Date.now(),
      variant.opaque ? { index } : undefined,
      variant.headers ? headersOf(index) : undefined,
    );
  // The topic's creation and first metadata round trip are not measured.
  send(0);
  while (delivered < 1) await pollAfter(producer, 10);
  delivered = 0;

  const processStart = processCpuUs();
  const mainStart = mainThreadNs();
  let produceNs = 0;
  for (let sent = 0; sent < recordCount; ) {
    const before = mainThreadNs();
    for (const end = Math.min(recordCount, sent + CHUNK); sent < end; sent++) send(sent);
    produceNs += mainThreadNs() - before;
    await pollAfter(producer, 0);
  }
  while (delivered < recordCount) await pollAfter(producer, 5);
  const mainNs = mainThreadNs() - mainStart;
  const processUs = processCpuUs() - processStart;
  producer.off('delivery-report', onReport);
  return {
    produceUs: produceNs / 1000 / recordCount,
    otherMainUs: (mainNs - produceNs) / 1000 / recordCount,
    processUs: processUs / recordCount,
  };
}

async function pollAfter(producer: Kafka.Producer, ms: number): Promise<void> {
  producer.poll();
  await new Promise((resolve) => (ms === 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));
}

function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function main(): Promise<void> {
  let broker: KafkaBroker | undefined;
  const brokers = values.brokers ?? (broker = await startKafka()).bootstrapServers;
  // The sink's defaults (linger 5 ms, idempotence, delivery reports without the payload).
  const producer = new Kafka.Producer({ 'bootstrap.servers': brokers, 'linger.ms': 5, 'enable.idempotence': true, dr_cb: true }, {});
  try {
    await new Promise<void>((resolve, reject) => producer.connect({}, (error) => (error ? reject(error) : resolve())));
    const costs = new Map<Variant, Cost[]>(VARIANTS.map((variant) => [variant, []]));
    const stamp = Date.now().toString(36);
    for (let round = 0; round < rounds; round++) {
      for (const [index, variant] of VARIANTS.entries()) {
        costs.get(variant)?.push(await measure(producer, variant, `${stamp}_${round}_${index}`));
      }
    }
    const [load1, load5] = (await import('node:os')).loadavg();
    console.log(`${recordCount} records of ${payload.length} B per variant, median of ${rounds} rounds, load average ${load1?.toFixed(1)} / ${load5?.toFixed(1)}`);
    console.log('µs per record:           produce()  other main-thread  whole process');
    for (const [variant, measured] of costs) {
      const column = (pick: (cost: Cost) => number) => median(measured.map(pick)).toFixed(1).padStart(9);
      console.log(`${variant.name.padEnd(36)}${column((cost) => cost.produceUs)}${column((cost) => cost.otherMainUs).padStart(19)}${column((cost) => cost.processUs).padStart(15)}`);
    }
  } finally {
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
    await broker?.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
