import { parseArgs } from 'node:util';
import type { DevPkiOptions } from './dev-pki.js';
import { assertKeyAlgorithm, keyAlgorithms } from './keys.js';

export const usage = `Usage: fleet-telemetry-dev-pki [--out <dir>] [--vehicles <count | VIN,VIN,...>]
                               [--host <name or IP>]... [--key-algorithm <${keyAlgorithms.join(' | ')}>]

Creates (or loads, when it is already there) a development PKI: a root CA, the
"Tesla Motors Product Issuing CA", a server certificate and vehicle certificates.

  --out            directory to write to (default .dev/pki)
  --vehicles       how many development VINs to issue, or a comma-separated list of VINs (default 1)
  --host           a server certificate host; repeat for more (default localhost, 127.0.0.1, ::1)
  --key-algorithm  key type of every certificate (default ecdsa-p256)
  --help           print this text`;

export type CliCommand = { readonly kind: 'help' } | { readonly kind: 'create'; readonly dir: string; readonly options: DevPkiOptions };

/** Turns command-line arguments into what to do; throws a TypeError with a readable message. */
export function parseCliArguments(argv: readonly string[]): CliCommand {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      out: { type: 'string', default: '.dev/pki' },
      vehicles: { type: 'string', default: '1' },
      host: { type: 'string', multiple: true },
      'key-algorithm': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { kind: 'help' };
  const keyAlgorithm = values['key-algorithm'];
  if (keyAlgorithm !== undefined) assertKeyAlgorithm(keyAlgorithm);
  return {
    kind: 'create',
    dir: values.out,
    options: {
      vehicles: parseVehicles(values.vehicles),
      ...(values.host ? { hosts: values.host } : {}),
      ...(keyAlgorithm ? { keyAlgorithm } : {}),
    },
  };
}

function parseVehicles(text: string): number | string[] {
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10);
  const vins = text.split(',').map((vin) => vin.trim()).filter((vin) => vin.length > 0);
  if (vins.length === 0) throw new TypeError(`--vehicles needs a count or a list of VINs, got "${text}"`);
  return vins;
}
