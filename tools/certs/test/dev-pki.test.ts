import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDevPki, devVin, isValidVin, loadDevPki, pemCertificates, type DevPki } from '../src/index.js';

const fingerprint = (path: string): string => new X509Certificate(readFileSync(path)).fingerprint256;

function fingerprints(pki: DevPki): Record<string, string> {
  const files = [pki.caFile, pki.issuingCaFile, pki.serverCertFile, ...pki.vehicles.map((vehicle) => vehicle.certFile)];
  return Object.fromEntries(files.map((file) => [relative(pki.dir, file), fingerprint(file)]));
}

describe('createDevPki', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-pki-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the documented layout with deterministic, valid VINs', async () => {
    const pki = await createDevPki(dir, { vehicles: 3 });
    const vins = [devVin(1), devVin(2), devVin(3)];
    expect(pki.vehicles.map((vehicle) => vehicle.vin)).toEqual(vins);
    expect(vins.every(isValidVin)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(
      [
        'ca-key.pem',
        'ca.pem',
        'chain.pem',
        'issuing-ca-key.pem',
        'issuing-ca.pem',
        'manifest.json',
        'server-key.pem',
        'server.pem',
        'vehicles',
      ].sort(),
    );
    expect((await readdir(join(dir, 'vehicles'))).sort()).toEqual(
      vins.flatMap((vin) => [`${vin}-key.pem`, `${vin}.pem`]).sort(),
    );
    expect(pki.vehicles[0]).toEqual({
      vin: vins[0],
      certFile: join(dir, 'vehicles', `${vins[0]}.pem`),
      keyFile: join(dir, 'vehicles', `${vins[0]}-key.pem`),
    });
    expect(pki.written).toContain(pki.manifestFile);
    expect((await stat(pki.serverKeyFile)).mode & 0o777).toBe(0o600);
  });

  it('bundles the chain: issuing + root for the server, leaf + issuing for leaves', async () => {
    const pki = await createDevPki(dir, { vehicles: 1 });
    const subjects = (path: string) => pemCertificates(readFileSync(path, 'utf8')).map((pem) => new X509Certificate(pem).subject);
    expect(subjects(pki.chainFile)).toEqual(['CN=Tesla Motors Product Issuing CA', 'CN=Fleet Telemetry Dev Root CA']);
    expect(subjects(pki.serverCertFile)).toEqual(['CN=localhost', 'CN=Tesla Motors Product Issuing CA']);
    expect(subjects(pki.vehicles[0]?.certFile ?? '')).toEqual([`CN=${devVin(1)}`, 'CN=Tesla Motors Product Issuing CA']);
    expect(subjects(pki.caFile)).toEqual(['CN=Fleet Telemetry Dev Root CA']);
  });

  it('loads an existing PKI on the second call: same certificates, nothing written', async () => {
    const first = await createDevPki(dir, { vehicles: 2 });
    const second = await createDevPki(dir, { vehicles: 2 });
    expect(second.written).toEqual([]);
    expect(fingerprints(second)).toEqual(fingerprints(first));
    expect(await loadDevPki(dir)).toEqual({ ...first, written: [] });
  });

  it('adds vehicles under the same CAs and keeps the ones it had', async () => {
    const first = await createDevPki(dir, { vehicles: 1 });
    const grown = await createDevPki(dir, { vehicles: ['5YJ3E1EA9PF000001', 'LRW3E7EK0NC000042'] });
    expect(grown.written.map((file) => relative(dir, file)).sort()).toEqual(
      ['manifest.json', 'vehicles/LRW3E7EK0NC000042-key.pem', 'vehicles/LRW3E7EK0NC000042.pem'].sort(),
    );
    expect(fingerprint(grown.issuingCaFile)).toBe(fingerprint(first.issuingCaFile));
    const manifest = JSON.parse(readFileSync(grown.manifestFile, 'utf8')) as { vehicles: { vin: string }[] };
    expect(manifest.vehicles.map((vehicle) => vehicle.vin)).toEqual(['5YJ3E1EA9PF000001', 'LRW3E7EK0NC000042']);
  });

  it('reissues only what is missing, and everything when a CA file is damaged', async () => {
    const first = await createDevPki(dir, { vehicles: 2 });
    const before = fingerprints(first);
    await rm(first.vehicles[1]?.keyFile ?? '');
    const repaired = await createDevPki(dir, { vehicles: 2 });
    expect(repaired.written.map((file) => relative(dir, file)).sort()).toEqual(
      ['manifest.json', `vehicles/${devVin(2)}-key.pem`, `vehicles/${devVin(2)}.pem`].sort(),
    );
    expect(fingerprints(repaired)[`vehicles/${devVin(1)}.pem`]).toBe(before[`vehicles/${devVin(1)}.pem`]);

    await writeFile(first.issuingCaFile, 'not a certificate');
    expect(await loadDevPki(dir)).toBeUndefined();
    const regenerated = await createDevPki(dir, { vehicles: 2 });
    const after = fingerprints(regenerated);
    for (const file of Object.keys(before)) expect(after[file]).not.toBe(before[file]);
  });

  it('reissues the server certificate when the hosts change', async () => {
    const first = await createDevPki(dir);
    const moved = await createDevPki(dir, { hosts: ['telemetry.test'] });
    expect(moved.written.map((file) => relative(dir, file)).sort()).toEqual(
      ['manifest.json', 'server-key.pem', 'server.pem'].sort(),
    );
    expect(fingerprint(moved.caFile)).toBe(fingerprint(first.caFile));
    expect(new X509Certificate(readFileSync(moved.serverCertFile)).checkHost('telemetry.test')).toBe('telemetry.test');
  });

  it('gives concurrent callers on one directory the same PKI', async () => {
    const results = await Promise.all([1, 2, 3].map(() => createDevPki(dir, { vehicles: 2 })));
    expect(results.filter((result) => result.written.length > 0)).toHaveLength(1);
    const [first, ...others] = results.map(fingerprints);
    for (const other of others) expect(other).toEqual(first);
  });

  it('treats an empty or foreign directory as no PKI', async () => {
    expect(await loadDevPki(dir)).toBeUndefined();
    await writeFile(join(dir, 'manifest.json'), '{"format": 99}');
    expect(await loadDevPki(dir)).toBeUndefined();
    const pki = await createDevPki(dir, { vehicles: 0 });
    expect(pki.vehicles).toEqual([]);
    expect(await loadDevPki(dir)).toBeDefined();
  });

  it('rejects unusable options', async () => {
    await expect(createDevPki(dir, { vehicles: -1 })).rejects.toThrow(/non-negative integer/);
    await expect(createDevPki(dir, { vehicles: ['../escape'] })).rejects.toThrow(/not usable/);
    await expect(createDevPki(dir, { vehicles: ['A', 'A'] })).rejects.toThrow(/unique/);
    await expect(createDevPki(dir, { hosts: [] })).rejects.toThrow(/at least one host/);
  });
});
