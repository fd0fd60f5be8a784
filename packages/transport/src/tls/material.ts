import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { clientCaCertificates, splitPemCertificates, type TelemetryTlsOptions, type TlsFiles } from './options.js';

/** Which file of the config's `tls` section a problem is about (the config key's name). */
export type TlsFileKey = 'server_cert' | 'server_key' | 'ca_file';

/** TLS material that cannot be used, naming the file at fault and why. */
export class TlsMaterialError extends Error {
  override readonly name = 'TlsMaterialError';

  constructor(
    /** The `tls` key naming the file at fault. */
    readonly file: TlsFileKey,
    /** That file's path. */
    readonly path: string,
    /** What is wrong with it, in plain words. */
    readonly reason: string,
  ) {
    super(`tls.${file} (${path}) ${reason}`);
  }
}

/**
 * Reads the server's TLS files like `createTlsOptions`, but checks everything before returning:
 * every file readable, the certificate and key parse, the key belongs to the certificate, the CA
 * file holds certificates, and OpenSSL accepts the lot. A problem throws `TlsMaterialError` naming
 * the file, so a bad renewal can be refused while the current material stays in use.
 */
export function readTlsMaterial(files: TlsFiles): TelemetryTlsOptions {
  return tlsMaterialFrom(files, readTlsFileContents(files));
}

/** The bytes of the files named in `TlsFiles`, read once so that checking and using them agree. */
export interface TlsFileContents {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
}

/** Reads every file; one that cannot be read throws `TlsMaterialError`. */
export function readTlsFileContents(files: TlsFiles): TlsFileContents {
  return {
    cert: readTlsFile('server_cert', files.serverCert),
    key: readTlsFile('server_key', files.serverKey),
    ca: files.caFile === undefined ? undefined : readTlsFile('ca_file', files.caFile),
  };
}

/** Checks file contents and turns them into listener options; see `readTlsMaterial`. */
export function tlsMaterialFrom(files: TlsFiles, contents: TlsFileContents): TelemetryTlsOptions {
  const { cert, key } = contents;
  const leaf = leafCertificate(files.serverCert, cert);
  const privateKey = parsePrivateKey(files.serverKey, key);
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new TlsMaterialError(
      'server_key',
      files.serverKey,
      `does not match the certificate in tls.server_cert (${files.serverCert}), serial ${leaf.serialNumber}`,
    );
  }

  let ca: string[];
  try {
    ca = clientCaCertificates({
      useEngCa: files.useEngCa,
      extraCaPem: contents.ca?.toString('utf8'),
      extraCaName: files.caFile,
    });
  } catch (error) {
    throw new TlsMaterialError('ca_file', files.caFile ?? '', `holds no usable CA certificate: ${messageOf(error)}`);
  }

  const options: TelemetryTlsOptions = {
    cert,
    key,
    ca,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  };
  try {
    // What the listener will do with it: anything OpenSSL refuses is caught here, not on a handshake.
    createSecureContext(options);
  } catch (error) {
    throw new TlsMaterialError('server_cert', files.serverCert, `cannot be used with its key: ${messageOf(error)}`);
  }
  return options;
}

function readTlsFile(file: TlsFileKey, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlsMaterialError(file, path, `cannot be read: ${messageOf(error)}`);
  }
}

/** The first certificate of the server's file (the leaf; the rest is its chain). */
function leafCertificate(path: string, pem: Buffer): X509Certificate {
  let certificates: string[];
  try {
    certificates = splitPemCertificates(pem.toString('utf8'));
  } catch (error) {
    throw new TlsMaterialError('server_cert', path, `holds a certificate that does not parse: ${messageOf(error)}`);
  }
  const [leaf] = certificates;
  if (leaf === undefined) throw new TlsMaterialError('server_cert', path, 'holds no PEM certificate');
  return new X509Certificate(leaf);
}

function parsePrivateKey(path: string, pem: Buffer): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new TlsMaterialError('server_key', path, `holds no usable private key: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
