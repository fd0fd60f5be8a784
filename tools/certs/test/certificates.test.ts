import { createPrivateKey, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createIssuingCa,
  createRootCa,
  createServerCertificate,
  createSelfSignedServerCertificate,
  createVehicleCertificate,
  ExtKeyUsage,
  pemCertificates,
  type CertifiedKey,
} from '../src/index.js';

const parse = (pem: string): X509Certificate => new X509Certificate(pem);

describe('certificate issuance', () => {
  let root: CertifiedKey;
  let issuing: CertifiedKey;

  beforeAll(async () => {
    root = await createRootCa();
    issuing = await createIssuingCa(root);
  });

  it('creates a self-signed root CA with the default name', () => {
    const cert = parse(root.cert);
    expect(cert.subject).toBe('CN=Fleet Telemetry Dev Root CA');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(root.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('signs an issuing CA named like Tesla product issuing CAs', () => {
    const cert = parse(issuing.cert);
    expect(cert.subject).toBe('CN=Tesla Motors Product Issuing CA');
    expect(cert.issuer).toBe('CN=Fleet Telemetry Dev Root CA');
    expect(cert.ca).toBe(true);
    expect(cert.checkIssued(parse(root.cert))).toBe(true);
    expect(cert.verify(parse(root.cert).publicKey)).toBe(true);
  });

  it('honours a custom CN for either CA', async () => {
    const custom = await createRootCa({ commonName: 'Another Root' });
    const legacy = await createIssuingCa(custom, { commonName: 'TeslaMotors' });
    expect(parse(custom.cert).subject).toBe('CN=Another Root');
    expect(parse(legacy.cert).subject).toBe('CN=TeslaMotors');
    expect(parse(legacy.cert).issuer).toBe('CN=Another Root');
  });

  it('issues a server certificate for its hosts with serverAuth', async () => {
    const server = await createServerCertificate(issuing);
    const cert = parse(server.cert);
    expect(cert.ca).toBe(false);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkHost('example.com')).toBeUndefined();
    expect(cert.keyUsage).toEqual([ExtKeyUsage.serverAuth]);
    expect(cert.verify(parse(issuing.cert).publicKey)).toBe(true);

    const custom = parse((await createServerCertificate(issuing, { hosts: ['telemetry.test', '10.0.0.7'] })).cert);
    expect(custom.subject).toBe('CN=telemetry.test');
    expect(custom.subjectAltName).toBe('DNS:telemetry.test, IP Address:10.0.0.7');
  });

  it('creates a self-signed server certificate, valid or expired', async () => {
    const selfSigned = await createSelfSignedServerCertificate({ hosts: ['telemetry.test'] });
    const cert = parse(selfSigned.cert);
    expect(cert.subject).toBe('CN=telemetry.test');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.ca).toBe(false);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(selfSigned.key))).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:telemetry.test');
    expect(cert.keyUsage).toEqual([ExtKeyUsage.serverAuth]);

    const notAfter = new Date('2020-02-01T00:00:00Z');
    const expired = await createSelfSignedServerCertificate({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter });
    expect(new Date(parse(expired.cert).validTo)).toEqual(notAfter);
    expect(parse(expired.cert).checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('issues a vehicle certificate: CN = VIN, Tesla EKU first, then clientAuth', async () => {
    const vehicle = await createVehicleCertificate(issuing, { vin: '5YJ3E1EA9PF000001' });
    const cert = parse(vehicle.cert);
    expect(cert.subject).toBe('CN=5YJ3E1EA9PF000001');
    expect(cert.issuer).toBe('CN=Tesla Motors Product Issuing CA');
    expect(cert.keyUsage).toEqual([ExtKeyUsage.teslaVehicleDevice, ExtKeyUsage.clientAuth]);
    expect(cert.verify(parse(issuing.cert).publicKey)).toBe(true);
  });

  it('keeps EKU and OU order as given, and can leave clientAuth out', async () => {
    const wallConnector = await createVehicleCertificate(issuing, {
      vin: 'PGT12345678',
      extKeyUsageOids: ['1.3.6.1.4.1.49279.2.5.2', '1.3.6.1.4.1.49279.2.5.1.1'],
      organizationalUnits: ['Gen3 Wall Connector', 'Tesla Motors SN'],
      includeClientAuth: false,
    });
    const cert = parse(wallConnector.cert);
    expect(cert.subject).toBe('CN=PGT12345678\nOU=Gen3 Wall Connector\nOU=Tesla Motors SN');
    expect(cert.keyUsage).toEqual(['1.3.6.1.4.1.49279.2.5.2', '1.3.6.1.4.1.49279.2.5.1.1']);
  });

  it('applies validity overrides, e.g. for an expired certificate', async () => {
    const notBefore = new Date('2020-01-01T00:00:00Z');
    const notAfter = new Date('2020-02-01T00:00:00Z');
    const expired = parse((await createVehicleCertificate(issuing, { vin: 'EXPIRED', notBefore, notAfter })).cert);
    expect(new Date(expired.validFrom)).toEqual(notBefore);
    expect(new Date(expired.validTo)).toEqual(notAfter);

    const shortLived = parse((await createServerCertificate(issuing, { notBefore, validDays: 2 })).cert);
    expect(new Date(shortLived.validTo)).toEqual(new Date('2020-01-03T00:00:00Z'));
  });

  it('uses RSA 2048 keys when asked, under an RSA or an ECDSA issuer', { timeout: 60_000 }, async () => {
    // RSA key generation is slow: two RSA keys cover both signing directions.
    const rsaIssuing = await createIssuingCa(root, {
      keyAlgorithm: 'rsa-2048',
      commonName: 'Tesla Motors Product RSA Issuing CA',
    });
    const rsaVehicle = await createVehicleCertificate(rsaIssuing, { vin: 'RSA1', keyAlgorithm: 'rsa-2048' });
    const ecUnderRsa = await createVehicleCertificate(rsaIssuing, { vin: 'EC1' });
    expect(parse(rsaIssuing.cert).publicKey.asymmetricKeyType).toBe('rsa');
    expect(parse(rsaIssuing.cert).verify(parse(root.cert).publicKey)).toBe(true);
    expect(parse(rsaVehicle.cert).publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(parse(rsaVehicle.cert).verify(parse(rsaIssuing.cert).publicKey)).toBe(true);
    expect(parse(ecUnderRsa.cert).publicKey.asymmetricKeyType).toBe('ec');
    expect(parse(ecUnderRsa.cert).verify(parse(rsaIssuing.cert).publicKey)).toBe(true);
  });

  it('accepts an issuer whose certificate file is a chain (leaf first)', async () => {
    const chained = { cert: issuing.cert + root.cert, key: issuing.key };
    expect(pemCertificates(chained.cert)).toHaveLength(2);
    const vehicle = parse((await createVehicleCertificate(chained, { vin: 'CHAINED' })).cert);
    expect(vehicle.issuer).toBe('CN=Tesla Motors Product Issuing CA');
  });

  it('rejects invalid options with clear errors', async () => {
    await expect(createVehicleCertificate(issuing, { vin: '' })).rejects.toThrow(/vin must be a non-empty string/);
    await expect(
      createVehicleCertificate(issuing, { vin: 'X', extKeyUsageOids: [], includeClientAuth: false }),
    ).rejects.toThrow(/at least one extended key usage/);
    await expect(createServerCertificate(issuing, { hosts: [] })).rejects.toThrow(/at least one host/);
    await expect(createServerCertificate(issuing, { validDays: 0 })).rejects.toThrow(/validDays/);
    await expect(createServerCertificate(issuing, { validDays: Number.POSITIVE_INFINITY })).rejects.toThrow(
      /validDays/,
    );
    await expect(
      createServerCertificate(issuing, { notBefore: new Date('2021-01-01'), notAfter: new Date('2020-01-01') }),
    ).rejects.toThrow(/notAfter .* must be later than notBefore/);
    // @ts-expect-error: an unknown algorithm is refused at run time too
    await expect(createRootCa({ keyAlgorithm: 'dsa-1024' })).rejects.toThrow(/unsupported key algorithm/);
  });
});
