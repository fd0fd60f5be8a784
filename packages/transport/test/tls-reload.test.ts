import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import {
  createIssuingCa,
  createRootCa,
  createServerCertificate,
  createVehicleCertificate,
  type CertifiedKey,
} from '@fleet-telemetry/dev-pki';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  readTlsMaterial,
  TlsReloader,
  type TlsFiles,
  type TlsMaterialError,
  type TlsReloadInfo,
  type TelemetryTlsOptions,
} from '../src/index.js';
import { attemptConnection, VehicleClient } from './support/client.js';
import { readResponse, streamFrame, vehicleData, vin } from './support/frames.js';
import { createTestPki, type TestPki } from './support/pki.js';
import { startServer, type RunningServer } from './support/server.js';

type LogLine = Record<string, unknown> & { msg: string };

let pki: TestPki;
let scratch: string;
let running: RunningServer | undefined;
let reloader: TlsReloader | undefined;
const clients: VehicleClient[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  scratch = mkdtempSync(join(tmpdir(), 'transport-reload-'));
  return () => {
    pki.dispose();
    rmSync(scratch, { recursive: true, force: true });
  };
});

afterEach(async () => {
  reloader?.close();
  reloader = undefined;
  for (const client of clients.splice(0)) client.ws.terminate();
  await running?.close();
  running = undefined;
});

/** A server certificate file as deployed: the leaf followed by the issuing CA. */
async function newServerCertificate(): Promise<CertifiedKey> {
  const leaf = await createServerCertificate(pki.issuing);
  return { cert: `${leaf.cert.trimEnd()}\n${pki.issuing.cert.trimEnd()}\n`, key: leaf.key };
}

const serialOf = (certificate: CertifiedKey): string => new X509Certificate(certificate.cert).serialNumber;

/** Copies of the dev PKI's server files in a fresh directory, where tests may replace them. */
function deployFiles(): TlsFiles & { readonly caFile: string } {
  const dir = mkdtempSync(join(scratch, 'certs-'));
  const files = { serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server-key.pem'), caFile: join(dir, 'ca.pem') };
  writeFileSync(files.serverCert, readFileSync(pki.pki.serverCertFile));
  writeFileSync(files.serverKey, readFileSync(pki.pki.serverKeyFile));
  writeFileSync(files.caFile, readFileSync(pki.pki.chainFile));
  return files;
}

interface Watched {
  readonly running: RunningServer;
  readonly reloader: TlsReloader;
  readonly logs: LogLine[];
  readonly initialSerial: string;
}

/** A server on `files`, with a reloader watching them (no polling: only file events count). */
async function serveWatched(files: TlsFiles, current?: TelemetryTlsOptions): Promise<Watched> {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const tls = readTlsMaterial(files);
  running = await startServer(pki, { tls, logger });
  reloader = new TlsReloader({
    files,
    target: running.server,
    current: current ?? tls,
    logger,
    meterProvider: running.metrics.meterProvider,
    debounceMs: 50,
    pollIntervalMs: 0,
  });
  const initialSerial = (await handshake(running.port)).serialNumber;
  return { running, reloader, logs, initialSerial };
}

/** The certificate a new TLS handshake gets from the server. */
async function handshake(port: number): Promise<X509Certificate> {
  const client = await pki.vehicle({ vin });
  const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.serverCa, cert: client.cert, key: client.key });
  try {
    await once(socket, 'secureConnect');
    const certificate = socket.getPeerX509Certificate();
    if (certificate === undefined) throw new Error('the server sent no certificate');
    return certificate;
  } finally {
    socket.destroy();
  }
}

function next(emitter: TlsReloader, event: 'reloaded'): Promise<[TlsReloadInfo]>;
function next(emitter: TlsReloader, event: 'failed'): Promise<[TlsMaterialError]>;
function next(emitter: TlsReloader, event: 'reloaded' | 'failed'): Promise<unknown[]> {
  // A bound on the wait, not an assertion on timing: a reload that never comes fails the test.
  return once(emitter, event, { signal: AbortSignal.timeout(15_000) });
}

async function connectVehicle(port: number): Promise<VehicleClient> {
  const client = await VehicleClient.connect(port, { ca: pki.serverCa, certificate: await pki.vehicle({ vin }) });
  clients.push(client);
  return client;
}

describe('certificate reload', () => {
  it('keeps connected vehicles and their acks across a swap; new handshakes get the new certificate', async () => {
    const files = deployFiles();
    const watched = await serveWatched(files);
    const vehicle = await connectVehicle(watched.running.port);
    vehicle.send(streamFrame({ txid: 'before', topic: 'V', payload: vehicleData() }));
    await vehicle.messages(1);

    const renewed = await newServerCertificate();
    const reloaded = next(watched.reloader, 'reloaded');
    writeFileSync(files.serverCert, renewed.cert);
    writeFileSync(files.serverKey, renewed.key);
    const [info] = await reloaded;
    expect(info.serialNumber).toBe(serialOf(renewed));
    expect(info.serialNumber).not.toBe(watched.initialSerial);

    vehicle.send(streamFrame({ txid: 'after', topic: 'V', payload: vehicleData() }));
    const answers = (await vehicle.messages(2)).map(readResponse);
    expect(answers.map((answer) => [answer.kind, answer.txid])).toEqual([
      ['ack', 'before'],
      ['ack', 'after'],
    ]);
    expect(vehicle.ws.readyState).toBe(vehicle.ws.OPEN);
    expect(watched.running.server.connectionCount).toBe(1);

    const fresh = await handshake(watched.running.port);
    expect(fresh.serialNumber).toBe(serialOf(renewed));
    expect(fresh.fingerprint256).toBe(info.fingerprint256);
    expect(watched.logs.find((line) => line.msg === 'tls_reloaded')).toMatchObject({
      serial: info.serialNumber,
      previous_serial: watched.initialSerial,
      server_cert: files.serverCert,
    });
    expect(await watched.running.metrics.value('tls_reload_total', { result: 'success' })).toBe(1);
    // The same files again are nothing to do.
    expect(watched.reloader.check()).toBe('unchanged');
  });

  it('keeps the current certificate when a new file is broken, and says which file and why', async () => {
    const files = deployFiles();
    const watched = await serveWatched(files);
    const failures = (): LogLine[] => watched.logs.filter((line) => line.msg === 'tls_reload_failed');

    let failed = next(watched.reloader, 'failed');
    writeFileSync(files.serverCert, 'renewal in progress\n');
    expect((await failed)[0]).toMatchObject({ file: 'server_cert', reason: 'holds no PEM certificate' });
    expect((await handshake(watched.running.port)).serialNumber).toBe(watched.initialSerial);

    const renewed = await newServerCertificate();
    failed = next(watched.reloader, 'failed');
    writeFileSync(files.serverCert, renewed.cert);
    const [mismatch] = await failed;
    expect(mismatch.file).toBe('server_key');
    expect(mismatch.reason).toMatch(/does not match the certificate in tls\.server_cert/);
    expect((await handshake(watched.running.port)).serialNumber).toBe(watched.initialSerial);

    failed = next(watched.reloader, 'failed');
    unlinkSync(files.serverKey);
    expect((await failed)[0]).toMatchObject({ file: 'server_key', reason: expect.stringMatching(/^cannot be read: ENOENT/) });

    expect(failures().map((line) => [line.file, line.path])).toEqual([
      ['tls.server_cert', files.serverCert],
      ['tls.server_key', files.serverKey],
      ['tls.server_key', files.serverKey],
    ]);
    expect(failures().every((line) => line.kept_serial === watched.initialSerial)).toBe(true);
    expect(await watched.running.metrics.value('tls_reload_total', { result: 'failure' })).toBe(3);

    // Once the key arrives, the renewal goes through.
    const reloaded = next(watched.reloader, 'reloaded');
    writeFileSync(files.serverKey, renewed.key);
    expect((await reloaded)[0].serialNumber).toBe(serialOf(renewed));
    expect((await handshake(watched.running.port)).serialNumber).toBe(serialOf(renewed));
  });

  it('keeps the current certificate when the renewal has already expired', async () => {
    const files = deployFiles();
    const watched = await serveWatched(files);
    const dayMs = 24 * 60 * 60 * 1000;
    const stale = await createServerCertificate(pki.issuing, {
      notBefore: new Date(Date.now() - 30 * dayMs),
      notAfter: new Date(Date.now() - dayMs),
    });

    const failed = next(watched.reloader, 'failed');
    writeFileSync(files.serverKey, stale.key);
    writeFileSync(files.serverCert, `${stale.cert.trimEnd()}\n${pki.issuing.cert.trimEnd()}\n`);
    const [error] = await failed;
    expect(error.file).toBe('server_cert');
    expect(error.reason).toMatch(/^holds a certificate that expired on \d{4}-.*; the current one, valid until \d{4}-.*, stays in use$/);
    expect((await handshake(watched.running.port)).serialNumber).toBe(watched.initialSerial);
    expect(watched.logs.find((line) => line.msg === 'tls_reload_failed')).toMatchObject({ kept_serial: watched.initialSerial });

    // A valid renewal afterwards goes through as usual.
    const renewed = await newServerCertificate();
    const reloaded = next(watched.reloader, 'reloaded');
    writeFileSync(files.serverKey, renewed.key);
    writeFileSync(files.serverCert, renewed.cert);
    expect((await reloaded)[0].serialNumber).toBe(serialOf(renewed));
  });

  it('applies an expired renewal over a certificate that has expired too', async () => {
    const files = deployFiles();
    const dayMs = 24 * 60 * 60 * 1000;
    const expired = (days: number) =>
      createServerCertificate(pki.issuing, { notBefore: new Date(Date.now() - 30 * dayMs), notAfter: new Date(Date.now() - days * dayMs) });
    const [old, renewal] = await Promise.all([expired(2), expired(1)]);
    writeFileSync(files.serverCert, old.cert);
    writeFileSync(files.serverKey, old.key);
    const applied: TelemetryTlsOptions[] = [];
    reloader = new TlsReloader({
      files,
      target: { setSecureContext: (material) => void applied.push(material) },
      current: readTlsMaterial(files),
      debounceMs: 50,
      pollIntervalMs: 0,
    });
    writeFileSync(files.serverCert, renewal.cert);
    writeFileSync(files.serverKey, renewal.key);
    expect(reloader.check()).toBe('reloaded');
    expect(applied.map((material) => new X509Certificate(material.cert).serialNumber)).toEqual([serialOf(renewal)]);
  });

  it('trusts a client issuer added to ca_file', async () => {
    const files = deployFiles();
    const watched = await serveWatched(files);
    const newRoot = await createRootCa({ commonName: 'Second Dev Root CA' });
    const newIssuing = await createIssuingCa(newRoot);
    const leaf = await createVehicleCertificate(newIssuing, { vin });
    const certificate = { cert: `${leaf.cert.trimEnd()}\n${newIssuing.cert.trimEnd()}\n`, key: leaf.key };
    const options = { ca: pki.serverCa, certificate };

    const refused = await attemptConnection(watched.running.port, options);
    expect(refused.kind === 'refused' || !refused.opened).toBe(true);

    const reloaded = next(watched.reloader, 'reloaded');
    appendFileSync(files.caFile, `${newIssuing.cert.trimEnd()}\n${newRoot.cert.trimEnd()}\n`);
    const [info] = await reloaded;
    expect(info.serialNumber).toBe(watched.initialSerial);

    const connected = new Promise((resolve) => watched.running.server.once('connected', resolve));
    clients.push(await VehicleClient.connect(watched.running.port, options));
    expect(await connected).toMatchObject({ deviceId: vin });
  });

  it('follows files replaced by rename, renewal after renewal', async () => {
    const files = deployFiles();
    const watched = await serveWatched(files);
    // Twice: after the first rename the original inodes are gone, and so is a watch on them.
    for (let round = 0; round < 2; round += 1) {
      const renewed = await newServerCertificate();
      const reloaded = next(watched.reloader, 'reloaded');
      writeFileSync(`${files.serverKey}.tmp`, renewed.key);
      writeFileSync(`${files.serverCert}.tmp`, renewed.cert);
      renameSync(`${files.serverKey}.tmp`, files.serverKey);
      renameSync(`${files.serverCert}.tmp`, files.serverCert);
      expect((await reloaded)[0].serialNumber).toBe(serialOf(renewed));
      expect((await handshake(watched.running.port)).serialNumber).toBe(serialOf(renewed));
    }
  });

  it('follows a Kubernetes secret volume swapping its ..data link, time after time', async () => {
    // The kubelet's layout: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/, swapped by rename.
    const volume = mkdtempSync(join(scratch, 'secret-'));
    const publish = (version: string, certificate: CertifiedKey, ca: Buffer): void => {
      mkdirSync(join(volume, version));
      writeFileSync(join(volume, version, 'tls.crt'), certificate.cert);
      writeFileSync(join(volume, version, 'tls.key'), certificate.key);
      writeFileSync(join(volume, version, 'ca.crt'), ca);
      symlinkSync(version, join(volume, '..data_tmp'));
      renameSync(join(volume, '..data_tmp'), join(volume, '..data'));
    };
    const ca = readFileSync(pki.pki.chainFile);
    const original = { cert: readFileSync(pki.pki.serverCertFile, 'utf8'), key: readFileSync(pki.pki.serverKeyFile, 'utf8') };
    publish('..2025_01_01_00_00_00.1', original, ca);
    for (const name of ['tls.crt', 'tls.key', 'ca.crt']) symlinkSync(join('..data', name), join(volume, name));
    const files = { serverCert: join(volume, 'tls.crt'), serverKey: join(volume, 'tls.key'), caFile: join(volume, 'ca.crt') };
    const watched = await serveWatched(files);
    expect(watched.reloader.watchedDirectories).toContain(volume);

    let previous = '..2025_01_01_00_00_00.1';
    for (const version of ['..2025_02_01_00_00_00.2', '..2025_03_01_00_00_00.3']) {
      const renewed = await newServerCertificate();
      const reloaded = next(watched.reloader, 'reloaded');
      publish(version, renewed, ca);
      rmSync(join(volume, previous), { recursive: true });
      previous = version;
      expect((await reloaded)[0].serialNumber).toBe(serialOf(renewed));
      expect((await handshake(watched.running.port)).serialNumber).toBe(serialOf(renewed));
    }
  });

  it('applies files that changed before watching began', async () => {
    const files = deployFiles();
    const stale = readTlsMaterial(files);
    const renewed = await newServerCertificate();
    writeFileSync(files.serverCert, renewed.cert);
    writeFileSync(files.serverKey, renewed.key);
    // The server was started on `stale`: the reloader compares the files with that, not with itself.
    running = await startServer(pki, { tls: stale });
    reloader = new TlsReloader({ files, target: running.server, current: stale, pollIntervalMs: 0 });
    expect((await next(reloader, 'reloaded'))[0].serialNumber).toBe(serialOf(renewed));
    expect((await handshake(running.port)).serialNumber).toBe(serialOf(renewed));
  });
});

describe('TelemetryServer#setSecureContext', () => {
  it('refuses a key that does not belong to the certificate and keeps the current context', async () => {
    running = await startServer(pki);
    const before = (await handshake(running.port)).serialNumber;
    const renewed = await newServerCertificate();
    const mismatched = { ...readTlsMaterial(deployFiles()), cert: renewed.cert };
    expect(() => running!.server.setSecureContext(mismatched)).toThrow(/key values mismatch/);
    expect((await handshake(running.port)).serialNumber).toBe(before);
  });
});
