import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDevPki } from '@fleet-telemetry/dev-pki';
import { freePort } from '@fleet-telemetry/test-services';
import type { Progress, SimulationOptions, Summary } from '@fleet-telemetry/vehicle-sim';
import { describeMachine, formatLoadAverage } from './machine.js';
import { DATASTORE_NAMES, startDatastore, type DatastoreName } from './datastores.js';
import { scrapeCounters } from './metrics-scrape.js';
import { CpuWindow } from './process-cpu.js';
import { summarizeCpuProfile, type CpuProfile } from './server/profile.js';

// Records per second from simulated vehicles through the server (V → one datastore, reliable
// acks) into a local Kafka broker, kinesalite or the Pub/Sub emulator, with the ack latency the
// vehicles saw, the API calls the sink made, and the CPU each of the three processes used over
// the steady-state window.

const usage = `Usage: node --conditions=@fleet-telemetry/source --import tsx src/datastore.ts --sink <name> [options]
  --sink <name>        ${DATASTORE_NAMES.join(' | ')} (required)
  --vehicles <n>       simulated vehicles, one certificate each (default 1000)
  --rate <r>           frames per second per vehicle offered (default: kafka 50, others 5)
  --seconds <s>        steady-state window measured per run (default 20)
  --warmup <s>         sending time after the last connection before the window (default 5)
  --runs <n>           runs; medians are reported (default 3)
  --connect-rate <n>   new connections per second (default 100)
  --profile            run the server with --cpu-prof and print where its CPU went`;

const { values } = parseArgs({
  options: {
    sink: { type: 'string' },
    vehicles: { type: 'string', default: '1000' },
    rate: { type: 'string' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    runs: { type: 'string', default: '3' },
    'connect-rate': { type: 'string', default: '100' },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (!DATASTORE_NAMES.includes(values.sink as DatastoreName)) {
  console.error(`--sink must be one of ${DATASTORE_NAMES.join(', ')}\n${usage}`);
  process.exit(2);
}
const sinkName = values.sink as DatastoreName;
const settings = {
  vehicles: positiveInteger('vehicles', values.vehicles),
  // The emulators of Kinesis and Pub/Sub take a few thousand records/s; Kafka takes far more.
  rate: positiveNumber('rate', values.rate ?? (sinkName === 'kafka' ? '50' : '5')),
  seconds: positiveNumber('seconds', values.seconds),
  warmup: positiveNumber('warmup', values.warmup),
  runs: positiveInteger('runs', values.runs),
  connectRate: positiveNumber('connect-rate', values['connect-rate']),
  profile: values.profile,
};

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const serverDir = resolve(benchDir, '..', '..', 'apps', 'server');
const nodeSources = ['--conditions=@fleet-telemetry/source', '--import', 'tsx'];
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
// Ctrl-C or a kill: end the server, the simulator and the datastore with this process.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

interface RunResult {
  readonly ackedPerSecond: number;
  readonly sentPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cores: Record<string, number>;
  readonly counts: CallCounts;
  readonly summary: Summary;
}

interface CallCounts {
  readonly records: number;
  readonly calls: number | undefined;
}

const workDir = mkdtempSync(join(tmpdir(), `ft-bench-${sinkName}-`));
log(`machine ${describeMachine()}, load average ${formatLoadAverage()} (before)`);
log(`offered: ${settings.vehicles} vehicles × ${settings.rate} V frames/s = ${settings.vehicles * settings.rate} records/s, reliable acks from ${sinkName}`);

// Issuing 1,000 certificates takes a minute: the PKI is kept between benchmark runs.
const pki = await createDevPki(join(tmpdir(), 'fleet-telemetry-bench-pki'), { vehicles: settings.vehicles });
const datastore = await startDatastore(sinkName);
log(`${sinkName} service: ${datastore.description} (pid ${datastore.pid}), work directory ${workDir}`);

const results: RunResult[] = [];
const server = await startServer().catch(async (error: unknown) => {
  await datastore.destroy();
  throw error;
});
try {
  for (let run = 1; run <= settings.runs; run++) {
    const result = await measureRun(server.port, server.pid, server.metricsUrl);
    results.push(result);
    log(
      `run ${run}: acked ${formatRate(result.ackedPerSecond)}/s (sent ${formatRate(result.sentPerSecond)}/s), ` +
        `ack p50 ${result.p50.toFixed(1)} ms p99 ${result.p99.toFixed(1)} ms, cores ${formatCores(result.cores)}, ` +
        `${formatCalls(result.counts)}, ` +
        `connected ${result.summary.connected}/${result.summary.vehicles}, unanswered ${result.summary.unanswered}, errors ${result.summary.errors}`,
    );
  }
} finally {
  await server.stop();
  await datastore.destroy();
}

const median = (pick: (result: RunResult) => number) => medianOf(results.map(pick));
console.log(`\n${sinkName} end to end, median of ${results.length} runs (load average after: ${formatLoadAverage()})`);
console.log(`vehicles                  ${settings.vehicles} (offered ${settings.rate} V frames/s each)`);
console.log(`acked records/s           ${formatRate(median((result) => result.ackedPerSecond))}`);
console.log(`sent records/s            ${formatRate(median((result) => result.sentPerSecond))}`);
console.log(`ack latency p50 / p99     ${median((result) => result.p50).toFixed(1)} ms / ${median((result) => result.p99).toFixed(1)} ms`);
const callsPerRun = results.map((result) => result.counts.calls);
if (callsPerRun.every((calls) => calls !== undefined)) {
  const perCall = median((result) => result.counts.records / (result.counts.calls ?? 1));
  console.log(`API calls in the window   ${formatRate(median((result) => result.counts.calls ?? 0))} for ${formatRate(median((result) => result.counts.records))} records (${perCall.toFixed(1)} records per call)`);
}
for (const name of ['simulator', 'server', 'server main thread', 'datastore']) {
  console.log(`cores ${name.padEnd(20)}${median((result) => result.cores[name] ?? 0).toFixed(2)}`);
}
// CPU per acked record, taken within each run: comparable between runs at different rates.
for (const name of ['simulator', 'server', 'server main thread', 'datastore']) {
  const micros = median((result) => ((result.cores[name] ?? 0) * 1e6) / Math.max(1, result.ackedPerSecond));
  console.log(`µs per record ${name.padEnd(20)}${micros.toFixed(1)}`);
}
if (settings.profile) printProfile(server.profileDir);

/** One fleet run: connect, warm up, measure the window, let the run finish. */
async function measureRun(port: number, serverPid: number, metricsUrl: string): Promise<RunResult> {
  const options: SimulationOptions = {
    url: `wss://127.0.0.1:${port}`,
    vehicles: settings.vehicles,
    rate: settings.rate,
    // The fleet sends until the window is over (a fleet that falls behind would otherwise take
    // far longer than planned to send a fixed number of frames).
    mix: 'V=1',
    pkiDir: pki.dir,
    caFile: pki.caFile,
    connectRate: settings.connectRate,
    // As in the server benchmark: send once all are connected, at most a second's worth unanswered.
    startTogether: true,
    maxInFlight: Math.max(20, Math.ceil(settings.rate)),
    timeoutMs: 30_000,
    handshakeTimeoutMs: 30_000,
  };
  const child = spawnNode('simulator', [...nodeSources, join(benchDir, 'src', 'fleet-load.ts'), JSON.stringify(options)], benchDir, 'pipe');
  if (child.pid === undefined) throw new Error('the simulator did not start');
  // The server's main thread apart: it runs the event loop, and a sink client's own threads
  // (librdkafka's) count in the server's total but not in it.
  const window = new CpuWindow({
    simulator: child.pid,
    server: serverPid,
    'server main thread': { pid: serverPid, tid: serverPid },
    datastore: datastore.pid,
  });
  let connectedAt: number | undefined;
  let start: Progress | undefined;
  let end: Progress | undefined;
  let cores: Record<string, number> | undefined;
  let countsAtStart: Promise<Record<string, number>> | undefined;
  let countsAtEnd: Promise<Record<string, number>> | undefined;
  let summary: Summary | undefined;
  let lastLogAt = 0;
  for await (const line of createInterface({ input: child.stdout! })) {
    const message = JSON.parse(line) as { kind: 'progress'; progress: Progress } | { kind: 'summary'; summary: Summary };
    if (message.kind === 'summary') {
      summary = message.summary;
      continue;
    }
    const progress = message.progress;
    if (progress.elapsedMs >= lastLogAt + 5_000) {
      lastLogAt = progress.elapsedMs;
      log(`  ${(progress.elapsedMs / 1000).toFixed(0)}s ${progress.phase}: connected ${progress.connected}/${progress.vehicles}, acked ${formatRate(progress.ackedPerSecond)}/s, in flight ${progress.inFlight}`);
    }
    if (connectedAt === undefined && progress.phase !== 'connecting') connectedAt = progress.elapsedMs;
    if (connectedAt === undefined) continue;
    if (start === undefined && progress.elapsedMs >= connectedAt + settings.warmup * 1000) {
      start = progress;
      window.start();
      countsAtStart = scrapeCounters(metricsUrl);
    } else if (start !== undefined && end === undefined && progress.elapsedMs >= start.elapsedMs + settings.seconds * 1000) {
      end = progress;
      cores = window.stop();
      countsAtEnd = scrapeCounters(metricsUrl);
      child.stdin?.end('stop\n');
    }
  }
  if (summary === undefined || start === undefined || end === undefined || cores === undefined || countsAtStart === undefined || countsAtEnd === undefined) {
    throw new Error('the simulator ended before the measurement window closed');
  }
  const [before, after] = await Promise.all([countsAtStart, countsAtEnd]);
  const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  const counts: CallCounts = {
    records: delta(datastore.recordsMetric),
    calls: datastore.callsMetric === undefined ? undefined : delta(datastore.callsMetric),
  };
  const seconds = (end.elapsedMs - start.elapsedMs) / 1000;
  return {
    ackedPerSecond: (end.acked - start.acked) / seconds,
    sentPerSecond: (end.sent - start.sent) / seconds,
    p50: summary.latencyMs.p50,
    p99: summary.latencyMs.p99,
    cores,
    counts,
    summary,
  };
}

async function startServer(): Promise<{ port: number; pid: number; profileDir: string; metricsUrl: string; stop: () => Promise<void> }> {
  const configFile = join(workDir, 'config.json');
  const metricsPort = await freePort();
  const profileDir = join(workDir, 'profile');
  mkdirSync(profileDir);
  writeFileSync(
    configFile,
    JSON.stringify({
      host: '127.0.0.1',
      port: await freePort(),
      log_level: 'info',
      json_log_enable: true,
      namespace: 'tesla',
      monitoring: { prometheus_metrics_port: metricsPort },
      [sinkName]: datastore.configSection,
      reliable_ack_sources: { V: sinkName },
      records: { V: [sinkName] },
      tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: pki.chainFile },
    }),
  );
  const profileFlags = settings.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawnNode('server', [...profileFlags, ...nodeSources, join(serverDir, 'src', 'main.ts'), `-config=${configFile}`], serverDir, 'ignore', datastore.serverEnv);
  const logFile = join(workDir, 'server.log');
  child.stdout?.pipe(createWriteStream(logFile));
  const started = await new Promise<Record<string, unknown>>((resolveStarted, reject) => {
    const lines = createInterface({ input: child.stdout! });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}); see ${logFile}`)));
    // Stop listening, but keep the stream flowing into the log file (closing readline pauses it).
    const onLine = (line: string) => {
      if (!line.includes('"mtls_server_started"')) return;
      lines.off('line', onLine);
      resolveStarted(JSON.parse(line) as Record<string, unknown>);
    };
    lines.on('line', onLine);
  });
  const port = Number(started['port']);
  log(`server pid ${child.pid} on port ${port}, log ${logFile}`);
  return {
    port,
    pid: child.pid ?? 0,
    profileDir,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    async stop() {
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      child.kill('SIGTERM');
      await exited;
      children.delete(child);
    },
  };
}

function spawnNode(
  label: string,
  args: readonly string[],
  cwd = benchDir,
  stdin: 'ignore' | 'pipe' = 'ignore',
  env: Readonly<Record<string, string>> = {},
): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, stdio: [stdin, 'pipe', 'pipe'], env: { ...process.env, ...env, FORCE_COLOR: '0' } });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => process.stderr.write(`[${label}] ${chunk}`));
  return child;
}

function printProfile(directory: string): void {
  const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) {
    log(`no CPU profile was written in ${directory}`);
    return;
  }
  const profile = summarizeCpuProfile(JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile, 20);
  console.log(`\nserver CPU profile ${join(directory, file)}: busy ${(profile.busyMs / 1000).toFixed(1)} s`);
  console.log('by area:');
  for (const entry of profile.areas.slice(0, 12)) console.log(`  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
  console.log('by function (self time):');
  for (const entry of profile.functions) console.log(`  ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
}

function medianOf(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function formatCalls(counts: CallCounts): string {
  const calls = counts.calls === undefined ? '' : ` in ${formatRate(counts.calls)} API calls`;
  return `${formatRate(counts.records)} records written${calls}`;
}

function formatCores(cores: Record<string, number>): string {
  return Object.entries(cores)
    .map(([name, value]) => `${name} ${value.toFixed(2)}`)
    .join(', ');
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`--${name} must be a positive number, got ${text}\n${usage}`);
  return value;
}

function positiveInteger(name: string, text: string): number {
  const value = positiveNumber(name, text);
  if (!Number.isInteger(value)) throw new RangeError(`--${name} must be a whole number, got ${text}\n${usage}`);
  return value;
}
