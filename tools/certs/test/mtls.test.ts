import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createDevPki,
  createIssuingCa,
  createRootCa,
  createVehicleCertificate,
  ExtKeyUsage,
  type CertifiedKey,
  type DevPki,
} from '../src/index.js';
import { connectClient, startMtlsServer, type MtlsServer } from './mtls-harness.js';

const read = (path: string): string => readFileSync(path, 'utf8');

describe('the development PKI over real mTLS', () => {
  let dir: string;
  let pki: DevPki;
  let issuing: CertifiedKey;
  let strict: MtlsServer;
  let lenient: MtlsServer;

  const vehicleCredentials = (index = 0) => {
    const vehicle = pki.vehicles[index];
    if (!vehicle) throw new Error(`no vehicle ${index}`);
    return { cert: read(vehicle.certFile), key: read(vehicle.keyFile) };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-pki-mtls-'));
    pki = await createDevPki(dir, { vehicles: 2 });
    issuing = { cert: read(pki.issuingCaFile), key: read(pki.issuingCaKeyFile) };
    const serverTls = { key: read(pki.serverKeyFile), cert: read(pki.serverCertFile), ca: read(pki.chainFile) };
    strict = await startMtlsServer({ ...serverTls, rejectUnauthorized: true });
    // Keeps every client so the verification result of each refused certificate can be read.
    lenient = await startMtlsServer({ ...serverTls, rejectUnauthorized: false });
  });

  afterAll(async () => {
    await strict?.close();
    await lenient?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts a vehicle certificate and exposes the VIN, issuer and EKU OIDs', async () => {
    const outcome = await connectClient(strict.port, { ca: read(pki.caFile), ...vehicleCredentials(1) });
    expect(outcome.received).toBe('ok');
    const client = strict.accepted.at(-1);
    expect(client?.authorized).toBe(true);
    expect(client?.peer.subject.CN).toBe(pki.vehicles[1]?.vin);
    expect(client?.peer.issuer.CN).toBe('Tesla Motors Product Issuing CA');
    expect(client?.peer.ext_key_usage).toEqual([ExtKeyUsage.teslaVehicleDevice, ExtKeyUsage.clientAuth]);
    expect(client?.peer.issuerCertificate.subject.CN).toBe('Tesla Motors Product Issuing CA');
    expect(client?.peer.issuerCertificate.issuerCertificate.subject.CN).toBe('Fleet Telemetry Dev Root CA');
    expect(new X509Certificate(client?.peer.raw ?? Buffer.alloc(0)).keyUsage).toContain(
      ExtKeyUsage.teslaVehicleDevice,
    );
  });

  it('refuses a certificate from another root', async () => {
    const otherRoot = await createRootCa({ commonName: 'Someone Else Root CA' });
    const otherIssuing = await createIssuingCa(otherRoot, { commonName: 'Someone Else Issuing CA' });
    const foreign = await createVehicleCertificate(otherIssuing, { vin: '5YJ3E1EA9PF000001' });
    const foreignChain = { cert: foreign.cert + otherIssuing.cert, key: foreign.key };

    const errorsBefore = strict.clientErrors.length;
    const refused = await connectClient(strict.port, { ca: read(pki.caFile), ...foreignChain });
    expect(refused.received).toBe('');
    // The server reports the refusal on its own socket, which may close after the client's.
    await vi.waitFor(() => expect(strict.clientErrors.length).toBe(errorsBefore + 1));

    await connectClient(lenient.port, { ca: read(pki.caFile), ...foreignChain });
    expect(lenient.accepted.at(-1)).toMatchObject({ authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
  });

  it('refuses a client certificate whose EKU lacks clientAuth (OpenSSL purpose check)', async () => {
    const withoutClientAuth = await createVehicleCertificate(issuing, { vin: 'NOCLIENTAUTH', includeClientAuth: false });
    const refused = await connectClient(strict.port, { ca: read(pki.caFile), ...withoutClientAuth });
    expect(refused.received).toBe('');

    await connectClient(lenient.port, { ca: read(pki.caFile), ...withoutClientAuth });
    expect(lenient.accepted.at(-1)).toMatchObject({ authorized: false, authorizationError: 'INVALID_PURPOSE' });
  });

  it('refuses an expired vehicle certificate', async () => {
    const expired = await createVehicleCertificate(issuing, {
      vin: '5YJ3E1EA9PF000001',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2020-02-01T00:00:00Z'),
    });
    const refused = await connectClient(strict.port, { ca: read(pki.caFile), ...expired });
    expect(refused.received).toBe('');

    await connectClient(lenient.port, { ca: read(pki.caFile), ...expired });
    expect(lenient.accepted.at(-1)).toMatchObject({ authorized: false, authorizationError: 'CERT_HAS_EXPIRED' });
  });

  it('requires a client certificate at all', async () => {
    const refused = await connectClient(strict.port, { ca: read(pki.caFile) });
    expect(refused.received).toBe('');
    expect(refused.error?.code).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  it('serves a certificate that clients trusting the root verify for localhost, not another name', async () => {
    const verified = await connectClient(strict.port, { ca: read(pki.caFile), ...vehicleCredentials() });
    expect(verified.serverAuthorized).toBe(true);
    expect(verified.error).toBeUndefined();

    const wrongName = await connectClient(strict.port, {
      ca: read(pki.caFile),
      servername: 'telemetry.example.com',
      ...vehicleCredentials(),
    });
    expect(wrongName.error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
