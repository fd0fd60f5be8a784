/**
 * The server benchmark: our server against a bare ws echo server over the same TLS setup, both
 * driven by the vehicle simulator in a separate process. See `--help` and BENCHMARKS.md.
 *
 *   npx nx run @fleet-telemetry/bench:bench:server [-- options]     (builds the packages first)
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createDevPki } from '@fleet-telemetry/dev-pki';
import { findRepoRoot } from '@fleet-telemetry/vehicle-sim';
import { describeMachine, formatLoadAverage } from '../machine.js';
import { runBenchmark, type BenchResult } from './benchmark.js';
import { parseBenchArgs, usage, type BenchOptions } from './options.js';
import type { BenchEnvironment } from './phases/environment.js';
import { hardFileLimit, pinningAvailable } from './processes.js';
import { formatProfileSummary } from './profile.js';
import { formatHeadline, formatLoadPhases, formatMemoryPhases, headline } from './report.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function gitDescription(root: string): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty === '' ? commit : `${commit} with uncommitted changes`;
  } catch {
    return 'unknown';
  }
}

async function main(args: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(args);
  } catch (error) {
    log(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(usage);
    return 0;
  }
  const { plan } = options;
  const root = findRepoRoot();
  const pkiDir = resolve(options.pkiDir ?? join(root, '.dev', 'bench-pki'));

  const fileLimit = hardFileLimit();
  if (fileLimit < plan.idleConnections + 1024) {
    log(`the hard limit on open files is ${fileLimit}; ${plan.idleConnections} idle connections need ${plan.idleConnections + 1024}. Raise it (ulimit -Hn) or lower --idle.`);
    return 2;
  }
  let pin = options.pin;
  if (pin && !pinningAvailable()) {
    log('taskset is not available or there is only one CPU: running unpinned');
    pin = false;
  }

  const started = new Date();
  const header = [
    `server benchmark, ${started.toISOString()}`,
    `machine   ${describeMachine()}, load average ${formatLoadAverage()} at start`,
    `pinning   ${pin ? 'server on CPU 0, simulator on CPU 1 (taskset)' : 'none'}`,
    `plan      ${plan.runs} runs` +
      (plan.load
        ? `, ${plan.vehicles} vehicles, ${plan.windowMs / 1000} s window after ${plan.settleMs / 1000} s settle, ` +
          `max-load rate ${plan.maxRatePerVehicle === undefined ? 'calibrated' : `${plan.maxRatePerVehicle}/s per vehicle`}, ` +
          `acks ${options.reliableAck ? 'after the sink confirmed (reliable ack)' : 'at once'}`
        : '') +
      `, ${plan.idleConnections} idle connections in ${Math.min(plan.memoryRuns, plan.runs)} runs`,
    `code      ${gitDescription(root)}, packages from ${options.sources ? 'their TypeScript sources' : 'their builds (dist/)'}`,
  ];
  for (const line of header) log(line);

  const issuing = performance.now();
  const pki = await createDevPki(pkiDir, { vehicles: Math.max(plan.vehicles, plan.idleCertificates) });
  log(
    `pki       ${pkiDir}: ${pki.vehicles.length} vehicle certificates` +
      (pki.written.length > 0 ? `, issued in ${((performance.now() - issuing) / 1000).toFixed(0)} s` : ', cached'),
  );
  if (plan.profileDir !== undefined) await mkdir(plan.profileDir, { recursive: true });

  const env: BenchEnvironment = {
    pkiDir,
    host: options.host,
    pin,
    sources: options.sources,
    reliableAck: options.reliableAck,
    connectRate: options.connectRate,
    handshakeTimeoutMs: 30_000,
    drainTimeoutMs: 60_000,
    // Bounds what an overloaded run queues in the simulator: 64 KiB per vehicle.
    maxBufferedBytes: 64 * 1024,
    log,
  };
  const deadline = setTimeout(() => {
    log(`gave up after ${options.maxMinutes} minutes (--max-minutes)`);
    process.exit(1);
  }, options.maxMinutes * 60_000);
  let result: BenchResult;
  try {
    result = await runBenchmark(plan, env);
  } finally {
    clearTimeout(deadline);
  }

  const summary = headline(result);
  const report = [
    ...header,
    `finished  ${new Date().toISOString()}, load average ${formatLoadAverage()} at the end`,
    '',
    formatHeadline(summary),
    '',
    formatLoadPhases(result),
    '',
    formatMemoryPhases(result),
    ...result.profiles.flatMap((profile) => ['', formatProfileSummary(
        profile.process === 'simulator'
          ? `simulator driving the ${profile.kind} server at max load (${profile.file})`
          : `${profile.kind} server at max load (${profile.file})`,
        profile.summary,
      )]),
  ];
  process.stdout.write(`${report.join('\n')}\n`);
  if (options.jsonFile !== undefined) {
    await writeFile(options.jsonFile, `${JSON.stringify({ header, headline: summary, result }, null, 2)}\n`);
  }
  if (summary.problems.length > 0) {
    log(`\nFAILED: ${summary.problems.length} problems`);
    for (const problem of summary.problems) log(`  ${problem}`);
    return 1;
  }
  const missed = summary.checks.filter((check) => !check.met);
  if (missed.length > 0) log(`\ntargets missed: ${missed.map((check) => check.name).join('; ')}`);
  return options.strict && missed.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // Exiting runs the exit hook that kills every child process.
  process.on(signal, () => process.exit(130));
}
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`server benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
