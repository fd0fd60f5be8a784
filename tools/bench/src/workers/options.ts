import { parseArgs } from 'node:util';

export interface WorkersBenchOptions {
  readonly help: boolean;
  /** Worker counts compared, in the order of the first run (each run reverses the previous order). */
  readonly counts: readonly number[];
  readonly runs: number;
  readonly vehicles: number;
  /** Frames per second offered per vehicle; undefined: calibrated per worker count to 25% above what it takes. */
  readonly ratePerVehicle: number | undefined;
  /** Per-vehicle rate of the first calibration step. */
  readonly calibrationRatePerVehicle: number;
  readonly connectRate: number;
  readonly settleMs: number;
  readonly windowMs: number;
  /** Development PKI with a certificate per vehicle (issued on the first run). */
  readonly pkiDir: string | undefined;
  readonly json: string | undefined;
}

export const usage = `Usage: npx nx run @fleet-telemetry/bench:bench:workers [-- options]
  --counts <list>      worker counts to compare, the first is the reference (default 1,2)
  --runs <n>           runs; every run measures each count once, in alternating order (default 3)
  --vehicles <n>       simulated vehicles, one certificate each (default 1000)
  --rate <r>           frames/s offered per vehicle (default: calibrated per worker count to 25% above
                       what it acks, so each runs at its maximum without runaway queues)
  --calibration-rate <r>  frames/s per vehicle of the first calibration step (default 10)
  --connect-rate <n>   new connections per second during the ramp (default 200)
  --settle <s>         seconds of load after the ramp before the window opens (default 5)
  --seconds <s>        measurement window (default 20)
  --pki <dir>          development PKI (default .dev/bench-pki at the repository root)
  --json <file>        also write every measurement as JSON
`;

/** Reads the command line; throws a RangeError naming the bad option. */
export function parseWorkersBenchArgs(args: readonly string[]): WorkersBenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      help: { type: 'boolean', default: false },
      counts: { type: 'string', default: '1,2' },
      runs: { type: 'string', default: '3' },
      vehicles: { type: 'string', default: '1000' },
      rate: { type: 'string' },
      'calibration-rate': { type: 'string', default: '10' },
      'connect-rate': { type: 'string', default: '200' },
      settle: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '20' },
      pki: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const counts = values.counts.split(',').map((text) => wholeNumber('counts', text.trim()));
  if (counts.length < 2 || new Set(counts).size !== counts.length) {
    throw new RangeError(`--counts must list at least two different worker counts, got ${values.counts}`);
  }
  return {
    help: values.help,
    counts,
    runs: wholeNumber('runs', values.runs),
    vehicles: wholeNumber('vehicles', values.vehicles),
    ratePerVehicle: values.rate === undefined ? undefined : positiveNumber('rate', values.rate),
    calibrationRatePerVehicle: positiveNumber('calibration-rate', values['calibration-rate']),
    connectRate: positiveNumber('connect-rate', values['connect-rate']),
    settleMs: positiveNumber('settle', values.settle) * 1000,
    windowMs: positiveNumber('seconds', values.seconds) * 1000,
    pkiDir: values.pki,
    json: values.json,
  };
}

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`--${name} must be a positive number, got ${text}`);
  return value;
}

function wholeNumber(name: string, text: string): number {
  const value = positiveNumber(name, text);
  if (!Number.isInteger(value)) throw new RangeError(`--${name} must be a whole number, got ${text}`);
  return value;
}
