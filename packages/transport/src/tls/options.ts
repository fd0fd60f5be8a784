import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { teslaCaBundle } from './ca-bundles.js';

/** Where the server's key material lives, as in the config's `tls` section. */
export interface TlsFiles {
  /** Path of the server certificate (PEM; may include the intermediate chain). */
  readonly serverCert: string;
  /** Path of the server's private key (PEM). */
  readonly serverKey: string;
  /** Path of extra trusted client CAs (PEM), appended to Tesla's bundle. */
  readonly caFile?: string;
  /** Trust Tesla's engineering CA bundle instead of the production one. */
  readonly useEngCa?: boolean;
}

/** Options for `https.createServer` / `setSecureContext`: mutual TLS, client certificate required. */
export interface TelemetryTlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** Trusted client CAs; also exactly the CA list sent in the TLS CertificateRequest. */
  readonly ca: string[];
  readonly requestCert: true;
  readonly rejectUnauthorized: true;
  readonly minVersion: 'TLSv1.2';
}

/**
 * Reads the files named by the config and returns the server's TLS options: Tesla's production
 * (or engineering) CA bundle plus `caFile` as the only trusted client CAs, and a client
 * certificate that must be presented and verified (Go's `RequireAndVerifyClientCert`).
 */
export function createTlsOptions(files: TlsFiles): TelemetryTlsOptions {
  return {
    cert: readFileSync(files.serverCert),
    key: readFileSync(files.serverKey),
    ca: clientCaCertificates({
      useEngCa: files.useEngCa,
      extraCaPem: files.caFile === undefined ? undefined : readFileSync(files.caFile, 'utf8'),
      extraCaName: files.caFile,
    }),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  };
}

export interface ClientCaOptions {
  readonly useEngCa?: boolean | undefined;
  /** Extra trusted client CAs (PEM text). */
  readonly extraCaPem?: string | undefined;
  /** Where the extra CAs came from, for error messages. */
  readonly extraCaName?: string | undefined;
}

/**
 * The trusted client CA certificates, one PEM string each. Listing them one by one keeps the
 * CertificateRequest's CA list to this bundle: Node adds no system CAs once `ca` is given.
 */
export function clientCaCertificates(options: ClientCaOptions = {}): string[] {
  const bundle = splitPemCertificates(teslaCaBundle(options.useEngCa === true ? 'eng' : 'prod'));
  if (options.extraCaPem === undefined) return bundle;
  const extra = splitPemCertificates(options.extraCaPem);
  if (extra.length === 0) {
    throw new Error(`custom CA file holds no PEM certificate: ${options.extraCaName ?? '(inline)'}`);
  }
  return [...bundle, ...extra];
}

const pemCertificatePattern = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Splits PEM text into its certificates, rejecting any block that does not parse. */
export function splitPemCertificates(pem: string): string[] {
  const blocks = pem.match(pemCertificatePattern) ?? [];
  return blocks.map((block) => {
    // Parsing here turns a corrupt bundle into a start-up error instead of a silent trust gap.
    new X509Certificate(block);
    return `${block}\n`;
  });
}
