import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createDevPki } from '@fleet-telemetry/dev-pki';
import type { VehicleIdentity } from './vehicle.js';

/** The repository root (where pnpm-workspace.yaml is), searching up from `from`; `from` itself if none. */
export function findRepoRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(from);
    dir = parent;
  }
}

/** Where the dev server and the simulator keep the development PKI: `.dev/pki` at the repository root. */
export function defaultPkiDir(from?: string): string {
  return join(findRepoRoot(from), '.dev', 'pki');
}

export interface PkiIdentities {
  readonly identities: readonly VehicleIdentity[];
  /** The CA that signed the server certificate. */
  readonly caFile: string;
}

/**
 * One certificate per vehicle from the development PKI in `dir`: it is created when missing and
 * extended with as many vehicle certificates as needed (existing ones are reused).
 */
export async function loadPkiIdentities(dir: string, vehicles: number): Promise<PkiIdentities> {
  const pki = await createDevPki(dir, { vehicles });
  const identities = await Promise.all(
    pki.vehicles.map(async (vehicle) => ({
      vin: vehicle.vin,
      cert: await readFile(vehicle.certFile),
      key: await readFile(vehicle.keyFile),
    })),
  );
  return { identities, caFile: pki.caFile };
}
