import { parseArgs } from 'node:util';
import type { BenchPlan } from './benchmark.js';

export interface BenchOptions {
  readonly help: boolean;
  readonly plan: BenchPlan;
  readonly pkiDir: string | undefined;
  readonly host: string;
  readonly pin: boolean;
  readonly sources: boolean;
  readonly reliableAck: boolean;
  readonly connectRate: number;
  readonly jsonFile: string | undefined;
  readonly maxMinutes: number;
  /** Exit 1 when a product target is missed, not only when the run itself failed. */
  readonly strict: boolean;
}

export const usage = `Usage: bench:server [options]

Our server (TelemetryServer + RecordRouter + a no-op sink) against a bare ws echo server over
the same TLS setup, both driven by the vehicle simulator: records/s at max load, ack latency at
half load, memory per idle connection.

  --runs <n>               runs; the report shows medians (default 3)
  --vehicles <n>           simulated vehicles (default 1000)
  --seconds <s>            measurement window of each load phase (default 10)
  --settle <s>             steady state after the ramp, before the window (default 3)
  --rate <r>               frames/s per vehicle at max load (default: calibrated per server)
  --calibration-rate <r>   frames/s per vehicle of the calibration phase (default 50)
  --connect-rate <n>       new connections per second during the ramp (default 200)
  --idle <n>               idle connections of the memory phases, 0 for none (default 10000)
  --idle-certificates <n>  vehicle certificates shared by the idle connections (default 10)
  --memory-runs <n>        runs that include the memory phases (default: all)
  --memory-only            only the memory phases (no calibration, max or half load)
  --reliable-ack           ack records once the no-op sink confirmed them (reliable-ack path)
  --profile <dir>          afterwards, profile each server at max load; .cpuprofile files go here
  --sources                load the workspace packages from src/ instead of dist/
  --no-pin                 do not pin the server to CPU 0 and the load to CPU 1
  --pki <dir>              development PKI, created once and reused (default .dev/bench-pki)
  --host <address>         where the servers listen (default 127.0.0.1)
  --json <file>            also write every measurement as JSON
  --max-minutes <m>        give up (and fail) after this long (default 120)
  --strict                 exit 1 when a target is missed
  --help
`;

function positiveNumber(name: string, raw: string): number {
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`--${name} must be a positive number, got ${raw}`);
  return value;
}

function count(name: string, raw: string, { allowZero = false } = {}): number {
  const value = Number(raw);
  if (!(Number.isInteger(value) && (value > 0 || (allowZero && value === 0)))) {
    throw new RangeError(`--${name} must be a whole number${allowZero ? ' ≥ 0' : ' > 0'}, got ${raw}`);
  }
  return value;
}

/** Parses the command line; throws RangeError (or TypeError for unknown options) with a message for the user. */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: args.filter((arg, index) => index > 0 || arg !== '--'),
    strict: true,
    options: {
      runs: { type: 'string', default: '3' },
      vehicles: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '10' },
      settle: { type: 'string', default: '3' },
      rate: { type: 'string' },
      'calibration-rate': { type: 'string', default: '50' },
      'connect-rate': { type: 'string', default: '200' },
      idle: { type: 'string', default: '10000' },
      'idle-certificates': { type: 'string', default: '10' },
      'memory-runs': { type: 'string' },
      'memory-only': { type: 'boolean', default: false },
      'reliable-ack': { type: 'boolean', default: false },
      profile: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      sources: { type: 'boolean', default: false },
      pki: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      json: { type: 'string' },
      'max-minutes': { type: 'string', default: '120' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const runs = count('runs', values.runs);
  if (values['memory-only'] && values.idle === '0') throw new RangeError('--memory-only needs idle connections (--idle > 0)');
  const windowMs = positiveNumber('seconds', values.seconds) * 1000;
  return {
    help: values.help,
    plan: {
      runs,
      vehicles: count('vehicles', values.vehicles),
      windowMs,
      settleMs: count('settle', values.settle, { allowZero: true }) * 1000,
      maxRatePerVehicle: values.rate === undefined ? undefined : positiveNumber('rate', values.rate),
      calibrationRatePerVehicle: positiveNumber('calibration-rate', values['calibration-rate']),
      calibrationWindowMs: Math.min(windowMs, 5_000),
      idleConnections: count('idle', values.idle, { allowZero: true }),
      idleCertificates: count('idle-certificates', values['idle-certificates']),
      idleConcurrency: 64,
      memoryRuns: values['memory-runs'] === undefined ? runs : count('memory-runs', values['memory-runs'], { allowZero: true }),
      load: !values['memory-only'],
      profileDir: values.profile,
    },
    pkiDir: values.pki,
    host: values.host,
    pin: !values['no-pin'],
    sources: values.sources,
    reliableAck: values['reliable-ack'],
    connectRate: positiveNumber('connect-rate', values['connect-rate']),
    jsonFile: values.json,
    maxMinutes: positiveNumber('max-minutes', values['max-minutes']),
    strict: values.strict,
  };
}
