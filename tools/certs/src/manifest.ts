import { keyAlgorithms, type KeyAlgorithm } from './keys.js';

export const manifestFormat = 1;

/** One certificate as recorded in manifest.json: paths are relative to the PKI directory. */
export interface ManifestEntry {
  readonly certFile: string;
  readonly keyFile: string;
  /** SHA-256 fingerprint of the certificate, colon-separated hex as node:crypto prints it. */
  readonly fingerprint256: string;
  readonly notAfter: string;
}

export interface ManifestVehicle extends ManifestEntry {
  readonly vin: string;
}

export interface ManifestServer extends ManifestEntry {
  readonly hosts: readonly string[];
}

export interface Manifest {
  readonly format: typeof manifestFormat;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly issuingCommonName: string;
  readonly root: ManifestEntry;
  readonly issuingCa: ManifestEntry;
  readonly chainFile: string;
  readonly server: ManifestServer;
  readonly vehicles: readonly ManifestVehicle[];
}

/** Parses manifest.json; anything unexpected yields undefined (the PKI is then regenerated). */
export function parseManifest(text: string): Manifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.format !== manifestFormat) return undefined;
  const { keyAlgorithm, issuingCommonName, root, issuingCa, chainFile, server, vehicles } = value;
  const valid =
    typeof keyAlgorithm === 'string' &&
    (keyAlgorithms as readonly string[]).includes(keyAlgorithm) &&
    typeof issuingCommonName === 'string' &&
    isEntry(root) &&
    isEntry(issuingCa) &&
    typeof chainFile === 'string' &&
    isEntry(server) &&
    isStringArray(server.hosts) &&
    Array.isArray(vehicles) &&
    vehicles.every((vehicle) => isEntry(vehicle) && typeof vehicle.vin === 'string');
  return valid ? (value as unknown as Manifest) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEntry(value: unknown): value is Record<string, unknown> & ManifestEntry {
  return (
    isRecord(value) &&
    typeof value.certFile === 'string' &&
    typeof value.keyFile === 'string' &&
    typeof value.fingerprint256 === 'string' &&
    typeof value.notAfter === 'string'
  );
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
