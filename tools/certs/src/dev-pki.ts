import { X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { lock } from 'proper-lockfile';
import {
  createIssuingCa,
  createRootCa,
  createServerCertificate,
  createVehicleCertificate,
  defaultIssuingCommonName,
  defaultServerHosts,
  type CertifiedKey,
} from './certificates.js';
import { privateFileMode, readTextIfExists, writeFileAtomic } from './files.js';
import { assertKeyAlgorithm, defaultKeyAlgorithm, type KeyAlgorithm } from './keys.js';
import { manifestFormat, parseManifest, type Manifest, type ManifestEntry, type ManifestVehicle } from './manifest.js';
import { firstPemCertificate, joinPem } from './pem.js';
import { devVin } from './vin.js';

export interface DevPkiOptions {
  /** How many development VINs to issue (`devVin(1..n)`), or the exact subject CNs. Default 1. */
  readonly vehicles?: number | readonly string[];
  /** Hosts of the server certificate (default localhost, 127.0.0.1, ::1). */
  readonly hosts?: readonly string[];
  readonly keyAlgorithm?: KeyAlgorithm;
  readonly issuingCommonName?: string;
}

export interface DevVehicle {
  readonly vin: string;
  /** The vehicle certificate followed by the issuing CA. */
  readonly certFile: string;
  readonly keyFile: string;
}

/** Absolute paths of a development PKI on disk. */
export interface DevPki {
  readonly dir: string;
  readonly manifestFile: string;
  /** The root CA: what clients trust to verify the server. */
  readonly caFile: string;
  readonly caKeyFile: string;
  readonly issuingCaFile: string;
  readonly issuingCaKeyFile: string;
  /** Issuing CA + root: the bundle the server trusts for client certificates (`tls.ca_file`). */
  readonly chainFile: string;
  /** The server certificate followed by the issuing CA. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** The vehicles asked for, in the order asked. */
  readonly vehicles: readonly DevVehicle[];
  /** Files this call wrote; empty when everything was already in place. */
  readonly written: readonly string[];
}

const layout = {
  manifest: 'manifest.json',
  lock: '.lock',
  root: { certFile: 'ca.pem', keyFile: 'ca-key.pem' },
  issuingCa: { certFile: 'issuing-ca.pem', keyFile: 'issuing-ca-key.pem' },
  chain: 'chain.pem',
  server: { certFile: 'server.pem', keyFile: 'server-key.pem' },
  vehicle: (vin: string) => ({ certFile: `vehicles/${vin}.pem`, keyFile: `vehicles/${vin}-key.pem` }),
} as const;

// Subject CNs become file names: keep them to characters that are safe in any file system.
const safeCommonName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface Settings {
  readonly vins: readonly string[];
  readonly hosts: readonly string[];
  readonly keyAlgorithm: KeyAlgorithm;
  readonly issuingCommonName: string;
}

/**
 * Makes sure `dir` holds a complete development PKI and returns its paths. An existing PKI is
 * loaded as it is; only what is missing, expired or asked for differently is (re)issued. When the
 * key algorithm or the issuing CA name changes, everything is regenerated. Concurrent callers on
 * the same directory are serialised with a lock file.
 */
export async function createDevPki(dir: string, options: DevPkiOptions = {}): Promise<DevPki> {
  const settings = resolveSettings(options);
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const release = await lock(root, {
    lockfilePath: join(root, layout.lock),
    stale: 10_000,
    retries: { retries: 200, minTimeout: 20, maxTimeout: 250 },
  });
  try {
    return await ensurePki(root, settings);
  } finally {
    await release();
  }
}

/** Loads the PKI in `dir` without writing anything; undefined unless it is complete and unexpired. */
export async function loadDevPki(dir: string): Promise<DevPki | undefined> {
  const root = resolve(dir);
  const manifest = parseManifest((await readTextIfExists(join(root, layout.manifest))) ?? '');
  if (!manifest) return undefined;
  const now = Date.now();
  const entries: [{ certFile: string; keyFile: string }, ManifestEntry][] = [
    [layout.root, manifest.root],
    [layout.issuingCa, manifest.issuingCa],
    [layout.server, manifest.server],
    ...manifest.vehicles.map((vehicle): [{ certFile: string; keyFile: string }, ManifestEntry] => [
      layout.vehicle(vehicle.vin),
      vehicle,
    ]),
  ];
  for (const [files, entry] of entries) {
    if (!(await loadEntry(root, files, entry, now))) return undefined;
  }
  if ((await readTextIfExists(join(root, layout.chain))) === undefined) return undefined;
  return paths(root, manifest.vehicles.map((vehicle) => vehicle.vin), []);
}

function resolveSettings(options: DevPkiOptions): Settings {
  const {
    vehicles = 1,
    hosts = defaultServerHosts,
    keyAlgorithm = defaultKeyAlgorithm,
    issuingCommonName = defaultIssuingCommonName,
  } = options;
  assertKeyAlgorithm(keyAlgorithm);
  if (hosts.length === 0) throw new RangeError('hosts must name at least one host');
  let vins: string[];
  if (typeof vehicles === 'number') {
    if (!Number.isInteger(vehicles) || vehicles < 0) {
      throw new RangeError(`vehicles must be a non-negative integer, got ${vehicles}`);
    }
    vins = Array.from({ length: vehicles }, (_, index) => devVin(index + 1));
  } else {
    vins = [...vehicles];
    for (const vin of vins) {
      if (!safeCommonName.test(vin)) throw new RangeError(`"${vin}" is not usable as a vehicle CN and file name`);
    }
    if (new Set(vins).size !== vins.length) throw new RangeError('vehicle VINs must be unique');
  }
  return { vins, hosts, keyAlgorithm, issuingCommonName };
}

async function ensurePki(root: string, settings: Settings): Promise<DevPki> {
  const now = Date.now();
  const written: string[] = [];
  const write = async (file: string, data: string, mode?: number): Promise<void> => {
    await writeFileAtomic(join(root, file), data, mode);
    written.push(join(root, file));
  };
  const writePair = async (files: { certFile: string; keyFile: string }, pair: CertifiedKey): Promise<ManifestEntry> => {
    await write(files.keyFile, pair.key, privateFileMode);
    await write(files.certFile, pair.cert);
    return { ...files, ...describe(pair.cert) };
  };

  const previous = parseManifest((await readTextIfExists(join(root, layout.manifest))) ?? '');
  const compatible =
    previous?.keyAlgorithm === settings.keyAlgorithm && previous.issuingCommonName === settings.issuingCommonName;
  let rootCa = compatible ? await loadEntry(root, layout.root, previous.root, now) : undefined;
  let issuingCa = rootCa && compatible ? await loadEntry(root, layout.issuingCa, previous.issuingCa, now) : undefined;
  const reuseCas = rootCa !== undefined && issuingCa !== undefined;
  const { keyAlgorithm } = settings;

  let rootEntry: ManifestEntry;
  let issuingEntry: ManifestEntry;
  if (reuseCas && previous && rootCa && issuingCa) {
    rootEntry = previous.root;
    issuingEntry = previous.issuingCa;
  } else {
    rootCa = await createRootCa({ keyAlgorithm });
    issuingCa = await createIssuingCa(rootCa, { keyAlgorithm, commonName: settings.issuingCommonName });
    rootEntry = await writePair(layout.root, rootCa);
    issuingEntry = await writePair(layout.issuingCa, issuingCa);
  }
  const issuer = issuingCa;
  const chain = joinPem(issuer.cert, rootCa.cert);
  if ((await readTextIfExists(join(root, layout.chain))) !== chain) await write(layout.chain, chain);

  const sameHosts = previous !== undefined && sameList(previous.server.hosts, settings.hosts);
  const server = reuseCas && sameHosts ? await loadEntry(root, layout.server, previous.server, now) : undefined;
  const serverEntry =
    server && previous
      ? previous.server
      : await writePair(
          layout.server,
          withIssuer(await createServerCertificate(issuer, { hosts: settings.hosts, keyAlgorithm }), issuer),
        );

  const vehicles = new Map<string, ManifestVehicle>();
  if (reuseCas && previous) {
    for (const vehicle of previous.vehicles) {
      if (await loadEntry(root, layout.vehicle(vehicle.vin), vehicle, now)) vehicles.set(vehicle.vin, vehicle);
    }
  }
  const missing = settings.vins.filter((vin) => !vehicles.has(vin));
  const issued = await Promise.all(
    missing.map(async (vin) => ({ vin, pair: await createVehicleCertificate(issuer, { vin, keyAlgorithm }) })),
  );
  for (const { vin, pair } of issued) {
    vehicles.set(vin, { vin, ...(await writePair(layout.vehicle(vin), withIssuer(pair, issuer))) });
  }

  const manifest: Manifest = {
    format: manifestFormat,
    keyAlgorithm,
    issuingCommonName: settings.issuingCommonName,
    root: rootEntry,
    issuingCa: issuingEntry,
    chainFile: layout.chain,
    server: { ...serverEntry, hosts: [...settings.hosts] },
    vehicles: [...vehicles.values()],
  };
  const manifestText = JSON.stringify(manifest, null, 2) + '\n';
  if ((await readTextIfExists(join(root, layout.manifest))) !== manifestText) {
    await write(layout.manifest, manifestText);
  }
  return paths(root, settings.vins, written);
}

function paths(root: string, vins: readonly string[], written: readonly string[]): DevPki {
  const at = (file: string): string => join(root, file);
  return {
    dir: root,
    manifestFile: at(layout.manifest),
    caFile: at(layout.root.certFile),
    caKeyFile: at(layout.root.keyFile),
    issuingCaFile: at(layout.issuingCa.certFile),
    issuingCaKeyFile: at(layout.issuingCa.keyFile),
    chainFile: at(layout.chain),
    serverCertFile: at(layout.server.certFile),
    serverKeyFile: at(layout.server.keyFile),
    vehicles: vins.map((vin) => {
      const files = layout.vehicle(vin);
      return { vin, certFile: at(files.certFile), keyFile: at(files.keyFile) };
    }),
    written,
  };
}

/** Reads a certificate and key pair when both exist, match the manifest and are still valid. */
async function loadEntry(
  root: string,
  files: { certFile: string; keyFile: string },
  entry: ManifestEntry,
  now: number,
): Promise<CertifiedKey | undefined> {
  const cert = await readTextIfExists(join(root, files.certFile));
  const key = await readTextIfExists(join(root, files.keyFile));
  if (cert === undefined || key === undefined) return undefined;
  try {
    const { fingerprint256, notAfter } = describe(cert);
    return fingerprint256 === entry.fingerprint256 && Date.parse(notAfter) > now ? { cert, key } : undefined;
  } catch {
    return undefined;
  }
}

function describe(certPem: string): Pick<ManifestEntry, 'fingerprint256' | 'notAfter'> {
  const cert = new X509Certificate(firstPemCertificate(certPem));
  return { fingerprint256: cert.fingerprint256, notAfter: new Date(cert.validTo).toISOString() };
}

// Leaf files carry the issuing CA so a peer that trusts only the root can still build the chain.
function withIssuer(leaf: CertifiedKey, issuer: CertifiedKey): CertifiedKey {
  return { cert: joinPem(leaf.cert, firstPemCertificate(issuer.cert)), key: leaf.key };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
