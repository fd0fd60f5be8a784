import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientCaCertificates, createTlsOptions, splitPemCertificates, teslaCaBundle } from '../src/index.js';

const subjects = (pems: readonly string[]): string[] => pems.map((pem) => new X509Certificate(pem).subject);

describe('Tesla CA bundles', () => {
  it('ships the production and engineering bundles inside the package', () => {
    const packageRoot = join(import.meta.dirname, '..');
    expect(teslaCaBundle('prod')).toBe(readFileSync(join(packageRoot, 'ca/tesla-prod-ca.pem'), 'utf8'));
    expect(teslaCaBundle('eng')).toBe(readFileSync(join(packageRoot, 'ca/tesla-eng-ca.pem'), 'utf8'));
    expect(teslaCaBundle()).toBe(teslaCaBundle('prod'));
  });

  it('holds Tesla issuing CAs', () => {
    const prod = subjects(splitPemCertificates(teslaCaBundle('prod')));
    expect(prod).toHaveLength(14);
    expect(prod.some((subject) => subject.includes('CN=Tesla Motors Product Issuing CA'))).toBe(true);
    expect(prod.some((subject) => subject.includes('CN=Tesla Issuing CA'))).toBe(true);
    expect(splitPemCertificates(teslaCaBundle('eng'))).toHaveLength(8);
  });
});

describe('createTlsOptions', () => {
  let pki: DevPki;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'transport-tls-'));
    pki = await createDevPki(join(dir, 'pki'), { vehicles: 0 });
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('requires and verifies a client certificate', () => {
    const options = createTlsOptions({ serverCert: pki.serverCertFile, serverKey: pki.serverKeyFile });
    expect(options.requestCert).toBe(true);
    expect(options.rejectUnauthorized).toBe(true);
    expect(options.cert).toEqual(readFileSync(pki.serverCertFile));
    expect(options.key).toEqual(readFileSync(pki.serverKeyFile));
  });

  it('trusts exactly the production bundle by default, the engineering one on request', () => {
    const prod = createTlsOptions({ serverCert: pki.serverCertFile, serverKey: pki.serverKeyFile });
    expect(prod.ca).toEqual(splitPemCertificates(teslaCaBundle('prod')));
    const eng = createTlsOptions({ serverCert: pki.serverCertFile, serverKey: pki.serverKeyFile, useEngCa: true });
    expect(eng.ca).toEqual(splitPemCertificates(teslaCaBundle('eng')));
  });

  it('appends the ca_file certificates after the bundle', () => {
    const options = createTlsOptions({
      serverCert: pki.serverCertFile,
      serverKey: pki.serverKeyFile,
      caFile: pki.chainFile,
    });
    const bundle = splitPemCertificates(teslaCaBundle('prod'));
    expect(options.ca.slice(0, bundle.length)).toEqual(bundle);
    expect(subjects(options.ca.slice(bundle.length))).toEqual(
      subjects(splitPemCertificates(readFileSync(pki.chainFile, 'utf8'))),
    );
    expect(options.ca).toHaveLength(bundle.length + 2);
  });

  it('refuses a ca_file without certificates, and a missing one', () => {
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, 'not a certificate\n');
    expect(() => createTlsOptions({ serverCert: pki.serverCertFile, serverKey: pki.serverKeyFile, caFile: empty })).toThrow(
      /no PEM certificate/,
    );
    expect(() =>
      createTlsOptions({ serverCert: pki.serverCertFile, serverKey: pki.serverKeyFile, caFile: join(dir, 'absent.pem') }),
    ).toThrow(/ENOENT/);
  });

  it('refuses a corrupt certificate block', () => {
    const corrupt = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(() => clientCaCertificates({ extraCaPem: corrupt })).toThrow();
  });

  it('sends exactly the trusted CAs in the TLS CertificateRequest', async () => {
    const options = createTlsOptions({
      serverCert: pki.serverCertFile,
      serverKey: pki.serverKeyFile,
      caFile: pki.chainFile,
    });
    const server = createServer(options, (_request, response) => response.end());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      // openssl prints the CA names of the server's CertificateRequest.
      const output = await new Promise<string>((resolve, reject) => {
        const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`], (error, stdout) =>
          error !== null && stdout === '' ? reject(error) : resolve(stdout),
        );
        child.stdin?.end();
      });
      const section = output.split('Acceptable client certificate CA names\n')[1] ?? '';
      const names = section.split('\n').filter((line) => line.startsWith('CN = '));
      const commonNames = options.ca.map((pem) => /CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1]);
      expect(names.map((line) => /^CN = ([^,]+)/.exec(line)?.[1])).toEqual(commonNames);
      expect(names).toHaveLength(16);
    } finally {
      server.close();
    }
  });
});
