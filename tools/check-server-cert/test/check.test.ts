import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createIssuingCa,
  createRootCa,
  createSelfSignedServerCertificate,
  createServerCertificate,
  createVehicleCertificate,
  type CertifiedKey,
} from '@fleet-telemetry/dev-pki';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaCertificateError, checkServerCertificate, formatReport, type CheckOptions, type CheckReport } from '../src/index.js';
import { closedPort, createCheckPki, pem, startPlainHttpServer, startTlsServer, type CheckPki, type Listening } from './support.js';

let pki: CheckPki;
let server: Listening | undefined;

beforeAll(async () => {
  pki = await createCheckPki();
  return () => pki.dispose();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Checks a server presenting `chain` as vehicles given `ca` would, for `localhost` on 127.0.0.1. */
async function check(chain: CertifiedKey, ca: string, options: Partial<CheckOptions> = {}): Promise<CheckReport> {
  server = await startTlsServer(chain);
  return checkServerCertificate({ hostname: 'localhost', port: server.port, address: '127.0.0.1', ca, ...options });
}

const codes = (report: CheckReport): string[] => report.findings.map((finding) => `${finding.severity}:${finding.code}`);

/** A server certificate for `hosts` from the dev issuing CA, sent with (or without) that CA. */
async function serverCertificate(options: Parameters<typeof createServerCertificate>[1] = {}, withIntermediate = true): Promise<CertifiedKey> {
  const leaf = await createServerCertificate(pki.issuing, options);
  return { cert: withIntermediate ? pem(leaf.cert, pki.issuing.cert) : leaf.cert, key: leaf.key };
}

describe('a good server', () => {
  it('passes when the server sends leaf and intermediate and the CA file holds the root', async () => {
    const certificate = await serverCertificate();
    const report = await check(certificate, pki.root.cert);
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.chain.map((entry) => [entry.subject, entry.inCaFile])).toEqual([
      ['CN=localhost', false],
      ['CN=Tesla Motors Product Issuing CA', false],
      ['CN=Fleet Telemetry Dev Root CA', true],
    ]);
    expect(report.chain[0]?.serialNumber).toBe(new X509Certificate(certificate.cert).serialNumber);
    expect(report.chain[0]?.subjectAltNames).toEqual(['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']);
    expect(report.daysLeft).toBeGreaterThanOrEqual(363);
    expect(report.daysLeft).toBeLessThanOrEqual(365);

    const text = formatReport(report, 'ca.pem');
    expect(text).toContain('Checking localhost:');
    expect(text).toContain(`days left`);
    expect(text).toMatch(/OK: vehicles given this CA will accept the certificate of localhost\.\n$/);
  });

  it('passes when the server sends only its leaf and the CA file holds the intermediate and the root', async () => {
    const report = await check(await serverCertificate({}, false), pem(pki.issuing.cert, pki.root.cert));
    expect(report.ok).toBe(true);
    expect(report.chain.map((entry) => entry.inCaFile)).toEqual([false, true, true]);
  });

  it('accepts an IP address as the host name when the certificate lists it', async () => {
    const report = await check(await serverCertificate(), pki.root.cert, { hostname: '127.0.0.1', address: undefined });
    expect(codes(report)).toEqual([]);
  });

  it('warns about a certificate that expires within the warning window, without failing', async () => {
    const report = await check(await serverCertificate({ validDays: 10 }), pki.root.cert);
    expect(report.ok).toBe(true);
    expect(codes(report)).toEqual(['warning:expires-soon']);
    expect(report.findings[0]?.message).toMatch(/^The server certificate expires on \d{4}-\d\d-\d\d: 9 days left/);
    expect(formatReport(report, 'ca.pem')).toMatch(/WARNING: .*\nOK: .*\(1 warning\)\.\n$/);
  });
});

describe('what vehicles will refuse', () => {
  it('names a missing intermediate: leaf only, root only in the CA file', async () => {
    const report = await check(await serverCertificate({}, false), pki.root.cert);
    expect(report.ok).toBe(false);
    expect(codes(report)).toEqual(['problem:missing-intermediate']);
    expect(report.findings[0]?.message).toContain('sends only its own certificate');
    expect(report.findings[0]?.message).toContain('CN=Tesla Motors Product Issuing CA');
    expect(formatReport(report, 'ca.pem')).toMatch(/PROBLEM: .*intermediate certificate is missing.*\nFAILED: 1 problem\.\n$/);
  });

  it('names a wrong host name and shows the names the certificate has', async () => {
    const report = await check(await serverCertificate({ hosts: ['telemetry.example.com', 'fleet.example.com'] }), pki.root.cert);
    expect(codes(report)).toEqual(['problem:wrong-name']);
    expect(report.findings[0]?.message).toContain(
      'not valid for localhost: its subjectAltName lists DNS:telemetry.example.com, DNS:fleet.example.com',
    );
  });

  it('names a self-signed certificate the CA file does not hold', async () => {
    const report = await check(await createSelfSignedServerCertificate(), pki.root.cert);
    expect(codes(report)).toEqual(['problem:self-signed']);
    expect(report.findings[0]?.message).toContain('CN=Fleet Telemetry Dev Root CA');
  });

  it('names an expired certificate and a not yet valid one', async () => {
    const expired = await serverCertificate({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    const report = await check(expired, pki.root.cert);
    expect(codes(report)).toEqual(['problem:expired']);
    expect(report.findings[0]?.message).toMatch(/^The server certificate expired on 2021-01-01 \(\d+ days ago\)/);
    expect(report.daysLeft).toBeLessThan(0);
    await server?.close();

    const future = new Date(Date.now() + 10 * 24 * 60 * 60 * 1000);
    const early = await check(await serverCertificate({ notBefore: future }), pki.root.cert);
    expect(codes(early)).toEqual(['problem:not-yet-valid']);
  });

  it('names a CA file that does not contain the root that issued the chain', async () => {
    const otherRoot = await createRootCa({ commonName: 'Some Other Root' });
    const report = await check(await serverCertificate(), otherRoot.cert);
    expect(codes(report)).toEqual(['problem:unknown-root']);
    expect(report.findings[0]?.message).toContain('ends at CN=Tesla Motors Product Issuing CA, issued by CN=Fleet Telemetry Dev Root CA');
    expect(report.findings[0]?.message).toContain('the CA file holds CN=Some Other Root');
  });

  it('names a root the server sends that the CA file does not contain', async () => {
    const otherRoot = await createRootCa({ commonName: 'Some Other Root' });
    const leaf = await serverCertificate();
    const report = await check({ cert: pem(leaf.cert, pki.root.cert), key: leaf.key }, otherRoot.cert);
    expect(codes(report)).toEqual(['problem:unknown-root']);
    expect(report.findings[0]?.message).toContain('ends at the root CN=Fleet Telemetry Dev Root CA');
  });

  it('names a CA file holding the intermediate but not its root', async () => {
    const report = await check(await serverCertificate({}, false), pki.issuing.cert);
    expect(codes(report)).toEqual(['problem:unknown-root']);
    expect(report.findings[0]?.message).toContain('holds CN=Tesla Motors Product Issuing CA but not the root');
  });

  it('names a certificate that is not meant for servers, and a name found only in the subject CN', async () => {
    // A client certificate (no serverAuth, no subjectAltName) put on a server by mistake.
    const client = await createVehicleCertificate(pki.issuing, { vin: 'localhost' });
    const report = await check({ cert: pem(client.cert, pki.issuing.cert), key: client.key }, pki.root.cert);
    expect(codes(report)).toEqual(['problem:wrong-name', 'problem:untrusted']);
    expect(report.findings[0]?.message).toContain('it has no subjectAltName at all. Its subject CN is localhost');
    expect(report.findings[1]?.message).toContain('not meant for TLS servers');
    expect(report.findings[1]?.message).toContain('(INVALID_PURPOSE)');
  });

  it('reports every problem at once', async () => {
    const otherIssuing = await createIssuingCa(await createRootCa({ commonName: 'Elsewhere Root' }));
    const leaf = await createServerCertificate(otherIssuing, {
      hosts: ['old.example.com'],
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
    });
    const report = await check(leaf, pki.root.cert);
    expect(codes(report).sort()).toEqual(['problem:expired', 'problem:missing-intermediate', 'problem:wrong-name']);
  });
});

describe('servers that never show a certificate', () => {
  it('says the port is unreachable', async () => {
    const port = await closedPort();
    const report = await checkServerCertificate({ hostname: 'localhost', address: '127.0.0.1', port, ca: pki.root.cert });
    expect(codes(report)).toEqual(['problem:unreachable']);
    expect(report.findings[0]?.message).toBe(`The server is unreachable: nothing listens on 127.0.0.1:${port} (connection refused).`);
    expect(report.chain).toEqual([]);
  });

  it('says a host name does not resolve', async () => {
    const report = await checkServerCertificate({ hostname: 'no-such-host.invalid', ca: pki.root.cert, port: 443 });
    expect(codes(report)).toEqual(['problem:unreachable']);
    expect(report.findings[0]?.message).toMatch(/no-such-host\.invalid (does not resolve|could not be resolved)/);
  });

  it('says a port does not speak TLS', async () => {
    server = await startPlainHttpServer();
    const report = await checkServerCertificate({ hostname: 'localhost', address: '127.0.0.1', port: server.port, ca: pki.root.cert });
    expect(codes(report)).toEqual(['problem:not-tls']);
    expect(report.findings[0]?.message).toContain('does not speak TLS');
  });
});

describe('servers that require a client certificate', () => {
  const vehicle = (): CertifiedKey => {
    const [entry] = pki.pki.vehicles;
    return { cert: readFileSync(entry!.certFile, 'utf8'), key: readFileSync(entry!.keyFile, 'utf8') };
  };
  const mutualTls = { requestCert: true, rejectUnauthorized: true };

  it('sees the certificate of a TLS 1.3 server without offering one', async () => {
    server = await startTlsServer(await serverCertificate(), { ...mutualTls, ca: [pki.issuing.cert, pki.root.cert] });
    const report = await checkServerCertificate({ hostname: 'localhost', address: '127.0.0.1', port: server.port, ca: pki.root.cert });
    expect(report.connection?.protocol).toBe('TLSv1.3');
    expect(codes(report)).toEqual([]);
  });

  it('explains a TLS 1.2 server that refuses the handshake, and succeeds with a client certificate', async () => {
    server = await startTlsServer(await serverCertificate(), {
      ...mutualTls,
      ca: [pki.issuing.cert, pki.root.cert],
      maxVersion: 'TLSv1.2',
    });
    const target = { hostname: 'localhost', address: '127.0.0.1', port: server.port, ca: pki.root.cert };
    const refused = await checkServerCertificate(target);
    expect(codes(refused)).toEqual(['problem:handshake-failed']);
    expect(refused.findings[0]?.message).toContain('run again with --cert and --key');

    const report = await checkServerCertificate({ ...target, clientCertificate: vehicle() });
    expect(report.connection?.protocol).toBe('TLSv1.2');
    expect(codes(report)).toEqual([]);
  });
});

describe('the CA', () => {
  it('must hold a certificate', async () => {
    await expect(checkServerCertificate({ hostname: 'localhost', port: 1, ca: 'no certificate here' })).rejects.toThrow(CaCertificateError);
  });
});
