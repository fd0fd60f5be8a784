/**
 * One server process against several (`--workers N`) on this machine, beside the vehicle
 * simulator: acked records/s at maximum load, the ack latency, and the CPU of every process.
 * See `--help` and the README.
 *
 *   npx nx run @fleet-telemetry/bench:bench:workers [-- options]   (builds the server first)
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDevPki } from '@fleet-telemetry/dev-pki';
import { freePort } from '@fleet-telemetry/test-services';
import { findRepoRoot } from '@fleet-telemetry/vehicle-sim';
import { describeMachine, formatLoadAverage } from '../machine.js';
import { parseWorkersBenchArgs, usage, type WorkersBenchOptions } from './options.js';
import { calibrateRate } from './calibration.js';
import { runPhase, type PhaseResult } from './phase.js';
import { formatWorkersReport, summarizeWorkersBench } from './report.js';
import { serverEntry } from './server-process.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(args: readonly string[]): Promise<number> {
  let options: WorkersBenchOptions;
  try {
    options = parseWorkersBenchArgs(args);
  } catch (error) {
    log(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (!existsSync(serverEntry)) {
    log(`${serverEntry} is missing: build the server first (npx nx run server:build), or run this through nx`);
    return 2;
  }

  const pkiDir = resolve(options.pkiDir ?? join(findRepoRoot(), '.dev', 'bench-pki'));
  log(`issuing or reusing ${options.vehicles} vehicle certificates in ${pkiDir}`);
  const pki = await createDevPki(pkiDir, { vehicles: options.vehicles });
  const workDir = mkdtempSync(join(tmpdir(), 'ft-bench-workers-'));
  const header = [
    `workers benchmark, ${new Date().toISOString()}`,
    `machine   ${describeMachine()}, load average ${formatLoadAverage()} at start`,
    `plan      workers ${options.counts.join(' vs ')}, ${options.runs} runs (order alternating), ${options.vehicles} vehicles offering ` +
      `${options.ratePerVehicle === undefined ? '25% more than each count acks (calibrated)' : `${options.ratePerVehicle}/s each`}, ` +
      `${options.windowMs / 1000} s window after ${options.settleMs / 1000} s settle, nothing pinned`,
    `server    ${serverEntry}, no record type routed (records are decoded, transformed and acked, not written)`,
    `logs      ${workDir}`,
  ];
  for (const line of header) log(line);

  const phaseSpec = (workers: number, label: string, run: number, ratePerVehicle: number) => ({
    workers,
    label,
    run,
    vehicles: options.vehicles,
    ratePerVehicle,
    connectRate: options.connectRate,
    pkiDir,
    tls: { serverCert: pki.serverCertFile, serverKey: pki.serverKeyFile, clientCaChain: pki.chainFile },
    workDir,
  });

  // Each worker count runs at its own maximum: offered 25% more than it acks.
  const rates = new Map<number, number>();
  const calibration: PhaseResult[] = [];
  for (const workers of options.counts) {
    if (options.ratePerVehicle !== undefined) {
      rates.set(workers, options.ratePerVehicle);
      continue;
    }
    const found = await calibrateRate(options.calibrationRatePerVehicle, options.vehicles, async (ratePerVehicle, step) =>
      runPhase({ ...phaseSpec(workers, `calibration step ${step}`, 0, ratePerVehicle), settleMs: 2_000, windowMs: 5_000, port: await freePort() }, log),
    );
    calibration.push(...found.steps);
    rates.set(workers, found.ratePerVehicle);
    log(`calibration: ${workers} worker(s) get ${Math.round(found.ratePerVehicle * options.vehicles).toLocaleString('en-US')} records/s offered`);
  }

  const results: PhaseResult[] = [];
  for (let run = 1; run <= options.runs; run++) {
    // Alternating the order spreads drifts of a busy machine over both sides.
    const order = run % 2 === 1 ? options.counts : [...options.counts].reverse();
    for (const workers of order) {
      const spec = phaseSpec(workers, `run ${run}/${options.runs}`, run, rates.get(workers) ?? 0);
      results.push(await runPhase({ ...spec, settleMs: options.settleMs, windowMs: options.windowMs, port: await freePort() }, log));
    }
  }

  const summaries = summarizeWorkersBench(results, options.counts);
  const problems = [...calibration, ...results].flatMap((result) => result.problems.map((problem) => `${result.workers} workers, ${result.run === 0 ? 'calibration' : `run ${result.run}`}: ${problem}`));
  process.stdout.write(
    [
      '',
      ...header,
      `load average ${formatLoadAverage()} at the end`,
      '',
      `median of ${options.runs} runs; "vs ${options.counts[0]}" is the median of the ratios taken within each run`,
      formatWorkersReport(summaries),
      ...(problems.length === 0 ? ['', 'every vehicle stayed connected, every frame was acked, every server exited 0'] : ['', 'PROBLEMS:', ...problems]),
      '',
    ].join('\n'),
  );
  if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify({ header, options, rates: Object.fromEntries(rates), calibration, results, summaries }, null, 2)}\n`);
  return problems.length === 0 ? 0 : 1;
}

process.exit(await main(process.argv.slice(2)));
