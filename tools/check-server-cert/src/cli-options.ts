import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CheckOptions } from './check.js';

export const usage = `Usage: check-server-cert --ca <file> <hostname> [port]
       check-server-cert --config <fleet_telemetry_config.json>

Connects to <hostname>:<port> (default 443) as a vehicle would and checks the server's
certificate against the CA vehicles are given (the "ca" of the Fleet API fleet_telemetry_config):
the chain, the host name, the expiry.

Options:
  --ca <file>           PEM file with the CA chain vehicles will trust
  --config <file>       read hostname, port and ca from a fleet_telemetry_config JSON
                        (the request body, or just its "config" object)
  --address <host>      connect to this address instead of resolving <hostname>
                        (SNI and the name check still use <hostname>)
  --cert <file>         client certificate to offer, with --key (only for servers that
  --key <file>          insist on one before showing theirs)
  --timeout <seconds>   give up connecting after this long (default 10)
  --warn-days <days>    warn about certificates expiring within this many days (default 30)
  --json                print the report as JSON
  -h, --help            show this text

Exit status: 0 when vehicles will accept the certificate (warnings allowed), 1 when a problem
was found, 2 on a usage error.`;

/** A command line that cannot be run: exit 2 with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type CliCommand =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'check';
      readonly check: Omit<CheckOptions, 'now'>;
      /** Where the CA came from, for the report. */
      readonly caName: string;
      readonly json: boolean;
    };

/** Parses the command line and reads the files it names; problems throw `UsageError`. */
export function parseCliArguments(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };

  const target = values.config !== undefined ? fromConfigFile(values.config, values, positionals) : fromArguments(values, positionals);
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('--cert and --key go together');
  const clientCertificate =
    values.cert !== undefined && values.key !== undefined
      ? { cert: readFile(values.cert, '--cert'), key: readFile(values.key, '--key') }
      : undefined;
  return {
    kind: 'check',
    check: {
      ...target.check,
      address: values.address,
      clientCertificate,
      timeoutMs: positiveNumber(values.timeout, '--timeout', 10) * 1000,
      warnDays: wholeNumber(values['warn-days'], '--warn-days', 30),
    },
    caName: target.caName,
    json: values.json === true,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ca: { type: 'string' },
      config: { type: 'string' },
      address: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      timeout: { type: 'string' },
      'warn-days': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

type Values = ReturnType<typeof parse>['values'];

interface Target {
  readonly check: Pick<CheckOptions, 'hostname' | 'port' | 'ca'>;
  readonly caName: string;
}

function fromArguments(values: Values, positionals: readonly string[]): Target {
  const [hostname, port, ...rest] = positionals;
  if (hostname === undefined) throw new UsageError('the hostname is missing');
  if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
  if (values.ca === undefined) throw new UsageError('--ca is missing: the CA chain vehicles are given');
  return { check: { hostname, port: portNumber(port ?? '443'), ca: readFile(values.ca, '--ca').toString('utf8') }, caName: values.ca };
}

/** The Fleet API's fleet_telemetry_config: `{ hostname, port?, ca }`, or a request body holding it under `config`. */
function fromConfigFile(path: string, values: Values, positionals: readonly string[]): Target {
  if (positionals.length > 0 || values.ca !== undefined) {
    throw new UsageError('--config gives the hostname, port and ca: leave out the others');
  }
  let document: unknown;
  try {
    document = JSON.parse(readFile(path, '--config').toString('utf8'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--config ${path} is not JSON: ${(error as Error).message}`);
  }
  const record = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const outer = record(document);
  const config = record(outer?.config) ?? outer;
  const hostname = config?.hostname;
  const ca = config?.ca;
  const port = config?.port ?? 443;
  if (typeof hostname !== 'string' || hostname === '') throw new UsageError(`--config ${path} has no "hostname"`);
  if (typeof ca !== 'string' || ca === '') throw new UsageError(`--config ${path} has no "ca"`);
  if (typeof port !== 'number') throw new UsageError(`--config ${path}: "port" must be a number`);
  return { check: { hostname, port: portNumber(String(port)), ca }, caName: `the "ca" of ${path}` };
}

function readFile(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`${option} ${path} cannot be read: ${(error as Error).message}`);
  }
}

function portNumber(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65_535) throw new UsageError(`"${text}" is not a port number`);
  return port;
}

function positiveNumber(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${option} must be a positive number of seconds, got "${text}"`);
  return value;
}

function wholeNumber(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} must be a whole number of days, got "${text}"`);
  return Number(text);
}
