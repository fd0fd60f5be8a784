/**
 * Codec throughput on one core: the V record path (protobuf and JSON), acks, and protobuf-es
 * doing the same work as a baseline.
 *
 *   pnpm --filter @fleet-telemetry/bench bench            (= taskset -c 1 node --import tsx src/codec.ts)
 *   ... src/codec.ts --runs 9 --seconds 2 --warmup 1
 *
 * The benchmarks run in rounds (each round runs every one of them once) and ratios are taken
 * round by round: this host's core speed changes by up to a factor of two within minutes.
 */
import { fromBinary, toBinary, toJsonString } from '@bufbuild/protobuf';
import {
  Field,
  PayloadSchema,
  encodeAck,
  protobufToJson,
  protobufToJsonBytes,
  transformPayload,
  transformPayloadToJsonBytes,
} from '@fleet-telemetry/codec';
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { measureRounds, ratioByRound, type RoundsMeasurement } from './measure.js';
import { formatRate, formatRatio, formatTable } from './stats.js';
import { CERTIFICATE_VIN, realisticVehicleData } from './vehicle-data.js';

/** Records per second the V protobuf path must sustain on one core. */
const TARGET_V_RECORDS_PER_SECOND = 250_000;
/** Records per second the V JSON path (as a string) must sustain on one core. */
const TARGET_V_JSON_RECORDS_PER_SECOND = 100_000;

interface Benchmark {
  name: string;
  /** Returns a size, summed so the work is not optimized away. */
  run: () => number;
  /** Name of the benchmark this one is compared with. */
  baseline?: string;
}

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    seconds: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '1' },
  },
});
const runs = Number(args.runs);
const runMs = Number(args.seconds) * 1000;
const warmupMs = Number(args.warmup) * 1000;

const payload = realisticVehicleData();
const txid = new TextEncoder().encode('8f0d2f0e-8d55-4f0e-9a43-3c1e4a3d2b10');
const topic = new TextEncoder().encode('V');

checkTheWorkIsReal();

const benchmarks: Benchmark[] = [
  {
    name: 'V record, protobuf path (transformPayload)',
    run: () => transformPayload('V', payload, CERTIFICATE_VIN).length,
    baseline: 'baseline: protobuf-es fromBinary + vin + toBinary',
  },
  {
    name: 'V record, JSON path (transformPayload + protobufToJson)',
    run: () => protobufToJson(PayloadSchema, transformPayload('V', payload, CERTIFICATE_VIN)).length,
    baseline: 'baseline: protobuf-es fromBinary + vin + toJsonString',
  },
  {
    // What the server hands to sinks: the same JSON as UTF-8 bytes.
    name: 'V record, JSON bytes (transformPayload + protobufToJsonBytes)',
    run: () => protobufToJsonBytes(PayloadSchema, transformPayload('V', payload, CERTIFICATE_VIN)).length,
    baseline: 'baseline: protobuf-es fromBinary + vin + toJsonString',
  },
  {
    // The same bytes, transformed while written: what the server runs for JSON records.
    name: 'V record, JSON bytes in one pass (transformPayloadToJsonBytes)',
    run: () => transformPayloadToJsonBytes('V', payload, CERTIFICATE_VIN).length,
    baseline: 'baseline: protobuf-es fromBinary + vin + toJsonString',
  },
  { name: 'ack (encodeAck)', run: () => encodeAck(txid, topic).length },
  {
    name: 'baseline: protobuf-es fromBinary + vin + toBinary',
    run: () => {
      const message = fromBinary(PayloadSchema, payload);
      message.vin = CERTIFICATE_VIN;
      return toBinary(PayloadSchema, message).length;
    },
  },
  {
    name: 'baseline: protobuf-es fromBinary + vin + toJsonString',
    run: () => {
      const message = fromBinary(PayloadSchema, payload);
      message.vin = CERTIFICATE_VIN;
      return toJsonString(PayloadSchema, message, { alwaysEmitImplicit: true }).length;
    },
  },
];

printEnvironment();
console.log('\nwarming up');
const results: ReadonlyMap<string, RoundsMeasurement> = measureRounds(
  new Map(benchmarks.map((benchmark) => [benchmark.name, benchmark.run])),
  {
    rounds: runs,
    runMs,
    warmupMs,
    onRound: (round, rates) =>
      console.log(`round ${round}/${runs}: ${benchmarks.map((benchmark) => formatRate(rates.get(benchmark.name)!)).join(' | ')} /s`),
  },
);
printSummary();

function printEnvironment(): void {
  const cpus = os.cpus();
  console.log(`node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores on the machine`);
  console.log(`CPUs this process may run on: ${allowedCpus()}`);
  console.log(`load average at start: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  console.log(`codec from ${import.meta.resolve('@fleet-telemetry/codec')}`);
  console.log(`V payload: ${payload.length} bytes, 20 datums; ${runs} rounds of ${runMs} ms per benchmark, medians reported`);
  console.log(`each round, in order: ${benchmarks.map((benchmark) => benchmark.name).join(' | ')}`);
}

/** Linux tells which CPUs the process is pinned to (taskset); elsewhere, unknown. */
function allowedCpus(): string {
  try {
    return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function printSummary(): void {
  const rows = benchmarks.map((benchmark) => {
    const result = results.get(benchmark.name)!;
    const baseline = benchmark.baseline === undefined ? undefined : results.get(benchmark.baseline);
    return [
      benchmark.name,
      formatRate(result.wall.median),
      formatRate(result.wall.min),
      formatRate(result.wall.max),
      formatRate(result.cpu.median),
      baseline === undefined ? '' : formatRatio(ratioByRound(result, baseline)),
    ];
  });
  console.log(`\nload average at end: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  console.log(
    `\n${formatTable(['benchmark', 'median /s', 'min /s', 'max /s', 'median /s of CPU time', 'vs baseline (median of rounds)'], rows)}`,
  );
  const protobufPath = results.get(benchmarks[0]!.name)!.wall.median;
  const verdict = protobufPath >= TARGET_V_RECORDS_PER_SECOND ? 'met' : 'NOT met';
  console.log(`\ntarget ${formatRate(TARGET_V_RECORDS_PER_SECOND)} V records/s on one core: ${verdict}`);
  // The JSON target is about the JSON the server hands to sinks, which it writes in one pass.
  const onePass = results.get(benchmarks[3]!.name)!.wall.median;
  const jsonVerdict = onePass >= TARGET_V_JSON_RECORDS_PER_SECOND ? 'met' : 'NOT met';
  console.log(
    `target ${formatRate(TARGET_V_JSON_RECORDS_PER_SECOND)} V records/s as JSON on one core (transformPayloadToJsonBytes): ${jsonVerdict}`,
  );
}

/** Refuses to measure a transform that does not do its job on this payload. */
function checkTheWorkIsReal(): void {
  const transformed = fromBinary(PayloadSchema, transformPayload('V', payload, CERTIFICATE_VIN));
  const location = transformed.data.find((datum) => datum.key === Field.Location)?.value?.value;
  const speed = transformed.data.find((datum) => datum.key === Field.VehicleSpeed)?.value?.value;
  const json = JSON.parse(protobufToJson(PayloadSchema, toBinary(PayloadSchema, transformed))) as { vin?: string };
  const jsonBytes = protobufToJsonBytes(PayloadSchema, toBinary(PayloadSchema, transformed));
  if (
    transformed.vin !== CERTIFICATE_VIN ||
    transformed.data.length !== 20 ||
    location?.case !== 'locationValue' ||
    speed?.case !== 'stringValue' ||
    speed.value !== '65.00000' ||
    json.vin !== CERTIFICATE_VIN ||
    Buffer.from(jsonBytes).toString('utf8') !== protobufToJson(PayloadSchema, toBinary(PayloadSchema, transformed)) ||
    Buffer.from(transformPayloadToJsonBytes('V', payload, CERTIFICATE_VIN)).toString('utf8') !==
      Buffer.from(jsonBytes).toString('utf8') ||
    encodeAck(txid, topic).length === 0
  ) {
    throw new Error('the codec does not transform the benchmark payload as expected');
  }
}
