import { isIP } from 'node:net';
import { x509 } from './x509.js';
import {
  defaultKeyAlgorithm,
  generateKeyPair,
  importSigningKey,
  privateKeyToPem,
  randomSerialNumber,
  signatureAlgorithmFor,
  type KeyAlgorithm,
} from './keys.js';
import { firstPemCertificate, joinPem } from './pem.js';
import { resolveValidity, type ValidityOptions } from './validity.js';

/** A certificate and its private key, both PEM (the key as PKCS#8). */
export interface CertifiedKey {
  readonly cert: string;
  readonly key: string;
}

/** Extended key usage OIDs the server and its clients care about. */
export const ExtKeyUsage = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  /** Tesla production arc, N=1: a vehicle. */
  teslaVehicleDevice: '1.3.6.1.4.1.49279.2.5.1',
} as const;

export const defaultRootCommonName = 'Fleet Telemetry Dev Root CA';
export const defaultIssuingCommonName = 'Tesla Motors Product Issuing CA';
export const defaultServerHosts: readonly string[] = ['localhost', '127.0.0.1', '::1'];

const caValidDays = 3650;
const leafValidDays = 365;

interface KeyOptions {
  /** Key type of the new certificate's key pair (default ecdsa-p256). */
  readonly keyAlgorithm?: KeyAlgorithm;
}

export interface RootCaOptions extends KeyOptions, ValidityOptions {
  readonly commonName?: string;
}

export interface IssuingCaOptions extends KeyOptions, ValidityOptions {
  readonly commonName?: string;
}

export interface ServerCertificateOptions extends KeyOptions, ValidityOptions {
  /** DNS names and IP addresses for the subjectAltName; the first one is also the subject CN. */
  readonly hosts?: readonly string[];
}

export interface VehicleCertificateOptions extends KeyOptions, ValidityOptions {
  /** Subject CN: the VIN for a vehicle, the device serial for other products. */
  readonly vin: string;
  /** Extended key usages, written in this order (the server takes the first mapped one). */
  readonly extKeyUsageOids?: readonly string[];
  /** Subject OUs, in order (the server reads e.g. "Solar Inverter", "Gen3 Wall Connector", "Tesla Motors SN"). */
  readonly organizationalUnits?: readonly string[];
  /**
   * Appends id-kp-clientAuth to the EKU list (default true). Node's TLS server (OpenSSL, purpose
   * "sslclient") refuses a client certificate that has an EKU extension without clientAuth, with
   * "unsupported certificate purpose"; disable it only to test that refusal.
   */
  readonly includeClientAuth?: boolean;
}

const { KeyUsageFlags } = x509;

export async function createRootCa(options: RootCaOptions = {}): Promise<CertifiedKey> {
  const { commonName = defaultRootCommonName, keyAlgorithm = defaultKeyAlgorithm } = options;
  const validity = resolveValidity(options, caValidDays);
  const keys = await generateKeyPair(keyAlgorithm);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: subjectName(commonName),
    ...validity,
    keys,
    signingAlgorithm: signatureAlgorithmFor(keyAlgorithm),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: joinPem(cert.toString('pem')), key: privateKeyToPem(keys.privateKey) };
}

/** An intermediate CA signed by `root`, named like Tesla's product issuing CAs by default. */
export async function createIssuingCa(root: CertifiedKey, options: IssuingCaOptions = {}): Promise<CertifiedKey> {
  const { commonName = defaultIssuingCommonName } = options;
  return issue(root, options, caValidDays, subjectName(commonName), [
    // pathLength 0: the issuing CA signs leaves only.
    new x509.BasicConstraintsExtension(true, 0, true),
    new x509.KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
  ]);
}

export async function createServerCertificate(
  issuer: CertifiedKey,
  options: ServerCertificateOptions = {},
): Promise<CertifiedKey> {
  const { commonName, extensions } = serverProfile(options);
  return issue(issuer, options, leafValidDays, subjectName(commonName), extensions);
}

/**
 * A server certificate signed by its own key, with no CA above it: what a server set up with a
 * quick `openssl req -x509` presents, for testing clients that must refuse it.
 */
export async function createSelfSignedServerCertificate(options: ServerCertificateOptions = {}): Promise<CertifiedKey> {
  const { keyAlgorithm = defaultKeyAlgorithm } = options;
  const { commonName, extensions } = serverProfile(options);
  const keys = await generateKeyPair(keyAlgorithm);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: subjectName(commonName),
    ...resolveValidity(options, leafValidDays),
    keys,
    signingAlgorithm: signatureAlgorithmFor(keyAlgorithm),
    extensions: [...extensions(keyAlgorithm), await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)],
  });
  return { cert: joinPem(cert.toString('pem')), key: privateKeyToPem(keys.privateKey) };
}

/** Subject CN and extensions of a server certificate for `options.hosts`. */
function serverProfile(options: ServerCertificateOptions): { commonName: string; extensions: ExtensionsFor } {
  const hosts = options.hosts ?? defaultServerHosts;
  const [commonName] = hosts;
  if (commonName === undefined) throw new RangeError('a server certificate needs at least one host');
  const altNames = hosts.map((host) => ({ type: isIP(host) ? ('ip' as const) : ('dns' as const), value: host }));
  return {
    commonName,
    extensions: (keyAlgorithm) => [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(leafKeyUsage(keyAlgorithm), true),
      new x509.ExtendedKeyUsageExtension([ExtKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(altNames),
    ],
  };
}

/** A device client certificate: CN = the VIN, Tesla EKU OIDs in order, optional subject OUs. */
export async function createVehicleCertificate(
  issuer: CertifiedKey,
  options: VehicleCertificateOptions,
): Promise<CertifiedKey> {
  const {
    vin,
    extKeyUsageOids = [ExtKeyUsage.teslaVehicleDevice],
    organizationalUnits = [],
    includeClientAuth = true,
  } = options;
  if (typeof vin !== 'string' || vin.length === 0) throw new TypeError('vin must be a non-empty string');
  const usages = includeClientAuth ? [...extKeyUsageOids, ExtKeyUsage.clientAuth] : [...extKeyUsageOids];
  if (usages.length === 0) throw new RangeError('a vehicle certificate needs at least one extended key usage');
  return issue(issuer, options, leafValidDays, subjectName(vin, organizationalUnits), (keyAlgorithm) => [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(leafKeyUsage(keyAlgorithm), true),
    new x509.ExtendedKeyUsageExtension(usages),
  ]);
}

type ExtensionsFor = (keyAlgorithm: KeyAlgorithm) => x509.Extension[];

async function issue(
  issuer: CertifiedKey,
  options: KeyOptions & ValidityOptions,
  defaultValidDays: number,
  subject: x509.JsonName,
  extensions: x509.Extension[] | ExtensionsFor,
): Promise<CertifiedKey> {
  const { keyAlgorithm = defaultKeyAlgorithm } = options;
  const validity = resolveValidity(options, defaultValidDays);
  const issuerCert = new x509.X509Certificate(firstPemCertificate(issuer.cert));
  const signing = await importSigningKey(issuer.key);
  const keys = await generateKeyPair(keyAlgorithm);
  const specific = typeof extensions === 'function' ? extensions(keyAlgorithm) : extensions;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject,
    // The issuer's encoded name, byte for byte, so chain building matches it.
    issuer: issuerCert.subjectName,
    ...validity,
    publicKey: keys.publicKey,
    signingKey: signing.key,
    signingAlgorithm: signing.signatureAlgorithm,
    extensions: [
      ...specific,
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await authorityKeyIdentifier(issuerCert),
    ],
  });
  return { cert: joinPem(cert.toString('pem')), key: privateKeyToPem(keys.privateKey) };
}

async function authorityKeyIdentifier(issuerCert: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const subjectKeyId = issuerCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (subjectKeyId) return new x509.AuthorityKeyIdentifierExtension(subjectKeyId.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey);
}

// RSA key exchange in TLS 1.2 needs keyEncipherment; ECDSA keys only sign.
function leafKeyUsage(keyAlgorithm: KeyAlgorithm): number {
  const usage = KeyUsageFlags.digitalSignature;
  return keyAlgorithm === 'rsa-2048' ? usage | KeyUsageFlags.keyEncipherment : usage;
}

// One RDN per attribute keeps the OU order exactly as given.
function subjectName(commonName: string, organizationalUnits: readonly string[] = []): x509.JsonName {
  return [{ CN: [commonName] }, ...organizationalUnits.map((unit) => ({ OU: [unit] }))];
}
