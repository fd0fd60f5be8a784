import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevPki, createServerCertificate, type DevPki } from '@fleet-telemetry/dev-pki';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTlsOptions, DirectoryWatcher, readTlsMaterial, TlsMaterialError, type TlsFiles } from '../src/index.js';

let pki: DevPki;
let dir: string;
let files: TlsFiles;

beforeAll(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'transport-material-')));
  pki = await createDevPki(join(dir, 'pki'), { vehicles: 0 });
  files = { serverCert: pki.serverCertFile, serverKey: pki.serverKeyFile, caFile: pki.chainFile };
  return () => rmSync(dir, { recursive: true, force: true });
});

/** A file in the scratch directory holding `text`. */
function fileWith(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function refusal(attempt: () => unknown): TlsMaterialError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof TlsMaterialError) return error;
    throw error;
  }
  throw new Error('the material was accepted');
}

describe('readTlsMaterial', () => {
  it('returns what createTlsOptions does for usable files', () => {
    expect(readTlsMaterial(files)).toEqual(createTlsOptions(files));
    expect(readTlsMaterial({ ...files, useEngCa: true })).toEqual(createTlsOptions({ ...files, useEngCa: true }));
  });

  it('names a file that cannot be read', () => {
    const missing = join(dir, 'absent.pem');
    expect(refusal(() => readTlsMaterial({ ...files, serverCert: missing }))).toMatchObject({
      file: 'server_cert',
      path: missing,
      reason: expect.stringMatching(/^cannot be read: ENOENT/),
    });
    expect(refusal(() => readTlsMaterial({ ...files, caFile: missing })).file).toBe('ca_file');
  });

  it('names a server certificate that is not PEM or does not parse', () => {
    const notPem = fileWith('not-pem.pem', 'hello\n');
    expect(refusal(() => readTlsMaterial({ ...files, serverCert: notPem }))).toMatchObject({
      file: 'server_cert',
      reason: 'holds no PEM certificate',
    });
    const corrupt = fileWith('corrupt.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const error = refusal(() => readTlsMaterial({ ...files, serverCert: corrupt }));
    expect(error.file).toBe('server_cert');
    expect(error.reason).toMatch(/^holds a certificate that does not parse/);
    expect(error.message).toBe(`tls.server_cert (${corrupt}) ${error.reason}`);
  });

  it('names a key that does not parse or does not belong to the certificate', async () => {
    const garbage = fileWith('garbage-key.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    expect(refusal(() => readTlsMaterial({ ...files, serverKey: garbage }))).toMatchObject({
      file: 'server_key',
      reason: expect.stringMatching(/^holds no usable private key/),
    });
    const issuer = { cert: readFileSync(pki.issuingCaFile, 'utf8'), key: readFileSync(pki.issuingCaKeyFile, 'utf8') };
    const otherKey = fileWith('other-key.pem', (await createServerCertificate(issuer)).key);
    expect(refusal(() => readTlsMaterial({ ...files, serverKey: otherKey }))).toMatchObject({
      file: 'server_key',
      path: otherKey,
      reason: expect.stringMatching(/^does not match the certificate in tls\.server_cert/),
    });
  });

  it('names a CA file without certificates', () => {
    const empty = fileWith('empty-ca.pem', '');
    expect(refusal(() => readTlsMaterial({ ...files, caFile: empty }))).toMatchObject({
      file: 'ca_file',
      reason: expect.stringMatching(/^holds no usable CA certificate/),
    });
  });
});

describe('DirectoryWatcher', () => {
  it('watches the directory of the file and of every link on the way to it', () => {
    // certbot's layout: live/<name>/cert.pem -> ../../archive/<name>/cert1.pem, linked from /etc.
    const archive = join(dir, 'letsencrypt', 'archive', 'telemetry');
    const live = join(dir, 'letsencrypt', 'live', 'telemetry');
    const etc = join(dir, 'etc');
    for (const directory of [archive, live, etc]) mkdirSync(directory, { recursive: true });
    writeFileSync(join(archive, 'fullchain1.pem'), readFileSync(pki.serverCertFile));
    symlinkSync('../../archive/telemetry/fullchain1.pem', join(live, 'fullchain.pem'));
    symlinkSync(join(live, 'fullchain.pem'), join(etc, 'server.pem'));

    const watcher = new DirectoryWatcher([join(etc, 'server.pem')], () => {}, { debounceMs: 10, onError: () => {} });
    try {
      expect(watcher.directories.sort()).toEqual([archive, etc, live].sort());
    } finally {
      watcher.close();
    }
  });

  it('reports a directory it cannot watch once', () => {
    const errors: string[] = [];
    const missing = join(dir, 'no-such-dir', 'server.pem');
    const watcher = new DirectoryWatcher([missing], () => {}, {
      debounceMs: 10,
      onError: (error, directory) => errors.push(`${directory}: ${(error as NodeJS.ErrnoException).code}`),
    });
    try {
      watcher.refresh();
      expect(errors).toEqual([`${join(dir, 'no-such-dir')}: ENOENT`]);
      expect(watcher.directories).toEqual([]);
    } finally {
      watcher.close();
    }
  });
});
