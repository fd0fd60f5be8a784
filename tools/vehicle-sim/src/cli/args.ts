import { parseArgs } from 'node:util';
import type { NetworkInterface, SimulationOptions } from '../options.js';

export interface CliOptions {
  readonly simulation: SimulationOptions;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly logLevel: string;
}

export const usage = `Usage: fleet-telemetry-sim [options]

Simulates vehicles streaming telemetry to a Fleet Telemetry server over mTLS WebSockets, checks
every answer against its txid and prints a summary. Exits 1 when a frame errored or went
unanswered, a vehicle could not connect or was disconnected, or an answer was unexpected.

Options:
  --url <url>                    server URL (default wss://localhost:4443)
  --vehicles <n>                 simulated vehicles, one certificate each (default 1)
  --rate <r>                     frames per second per vehicle (default 1)
  --duration <seconds>           how long each vehicle sends
  --frames <n>                   frames per vehicle (instead of --duration; default: until Ctrl-C)
  --mix <spec>                   record types and weights (default V=8,alerts=1,errors=1)
  --pki <dir>                    development PKI, created if missing (default .dev/pki at the repo root)
  --ca <file>                    CA that signed the server certificate (default: the PKI's root CA)
  --network-interface <name>     wifi or cellular (default wifi)
  --connect-rate <n>             new connections per second (default 100)
  --max-in-flight <n>            unanswered frames per vehicle before it waits (default: no limit)
  --start-together               send only once every vehicle is connected
  --timeout <seconds>            wait for answers after the last frame (default 5)
  --handshake-timeout <seconds>  give up on a connection after this long (default 10)
  --seed <n>                     seed for payload values
  --insecure                     do not verify the server certificate
  --json                         print the summary as JSON
  --quiet                        no live progress
  --log-level <level>            pino log level for connection events on stderr (default silent)
  -h, --help                     show this help
`;

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new RangeError(`--${name} expects a number, got "${value}"`);
  return parsed;
}

/** Parses the command line; throws a RangeError or TypeError with a message for the user. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  // `pnpm sim -- --vehicles 10` forwards the separator itself.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: 'string' },
      vehicles: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      frames: { type: 'string' },
      mix: { type: 'string' },
      pki: { type: 'string' },
      ca: { type: 'string' },
      'network-interface': { type: 'string' },
      'connect-rate': { type: 'string' },
      'max-in-flight': { type: 'string' },
      'start-together': { type: 'boolean', default: false },
      timeout: { type: 'string' },
      'handshake-timeout': { type: 'string' },
      seed: { type: 'string' },
      insecure: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'silent' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const timeoutSeconds = number('timeout', values.timeout);
  const handshakeTimeoutSeconds = number('handshake-timeout', values['handshake-timeout']);
  const simulation: SimulationOptions = {
    url: values.url,
    vehicles: number('vehicles', values.vehicles),
    rate: number('rate', values.rate),
    durationSeconds: number('duration', values.duration),
    frames: number('frames', values.frames),
    mix: values.mix,
    pkiDir: values.pki,
    caFile: values.ca,
    networkInterface: values['network-interface'] as NetworkInterface | undefined,
    connectRate: number('connect-rate', values['connect-rate']),
    maxInFlight: number('max-in-flight', values['max-in-flight']),
    startTogether: values['start-together'] || undefined,
    timeoutMs: timeoutSeconds === undefined ? undefined : Math.round(timeoutSeconds * 1000),
    handshakeTimeoutMs: handshakeTimeoutSeconds === undefined ? undefined : Math.round(handshakeTimeoutSeconds * 1000),
    seed: number('seed', values.seed),
    rejectUnauthorized: !values.insecure,
  };
  return {
    simulation: Object.fromEntries(Object.entries(simulation).filter(([, value]) => value !== undefined)),
    json: values.json,
    quiet: values.quiet,
    help: values.help,
    logLevel: values['log-level'],
  };
}
