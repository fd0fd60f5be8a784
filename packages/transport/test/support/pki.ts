import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDevPki,
  createIssuingCa,
  createRootCa,
  createVehicleCertificate,
  type CertifiedKey,
  type DevPki,
  type VehicleCertificateOptions,
} from '@fleet-telemetry/dev-pki';

export interface TestPki {
  readonly pki: DevPki;
  /** The CA clients use to verify the server. */
  readonly serverCa: string;
  /** The dev issuing CA, named like Tesla's product issuing CA. */
  readonly issuing: CertifiedKey;
  /** Trusted root (through `tls.ca_file`), for issuing CAs with other names. */
  readonly root: CertifiedKey;
  /** A client certificate (leaf + issuing CA) from the dev issuing CA. */
  vehicle(options: VehicleCertificateOptions): Promise<CertifiedKey>;
  /** A client certificate from an issuing CA called `issuerName` under the trusted root. */
  fromIssuer(issuerName: string, options: VehicleCertificateOptions): Promise<CertifiedKey>;
  /** A client certificate chaining to a root the server does not trust. */
  untrusted(options: VehicleCertificateOptions): Promise<CertifiedKey>;
  /** Removes the PKI's directory. */
  dispose(): void;
}

/** A development PKI in a fresh temporary directory: generate once per test file. */
export async function createTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'transport-pki-'));
  const pki = await createDevPki(dir, { vehicles: 0 });
  const issuing = { cert: readFileSync(pki.issuingCaFile, 'utf8'), key: readFileSync(pki.issuingCaKeyFile, 'utf8') };
  const root = { cert: readFileSync(pki.caFile, 'utf8'), key: readFileSync(pki.caKeyFile, 'utf8') };
  const withIssuer = (leaf: CertifiedKey, issuer: CertifiedKey): CertifiedKey => ({
    cert: `${leaf.cert.trimEnd()}\n${issuer.cert.trimEnd()}\n`,
    key: leaf.key,
  });
  const issuers = new Map<string, Promise<CertifiedKey>>();
  let otherRoot: Promise<CertifiedKey> | undefined;
  return {
    pki,
    serverCa: root.cert,
    issuing,
    root,
    vehicle: async (options) => withIssuer(await createVehicleCertificate(issuing, options), issuing),
    fromIssuer: async (issuerName, options) => {
      let issuer = issuers.get(issuerName);
      if (issuer === undefined) {
        issuer = createIssuingCa(root, { commonName: issuerName });
        issuers.set(issuerName, issuer);
      }
      return withIssuer(await createVehicleCertificate(await issuer, options), await issuer);
    },
    untrusted: async (options) => {
      otherRoot ??= createRootCa({ commonName: 'Untrusted Root' });
      const issuer = await createIssuingCa(await otherRoot);
      return withIssuer(await createVehicleCertificate(issuer, options), issuer);
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
