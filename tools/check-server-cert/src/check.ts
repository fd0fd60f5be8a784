import type { X509Certificate } from 'node:crypto';
import { daysUntil, parsePemCertificates, subjectAltNames, validFrom, validTo } from './certificates.js';
import { diagnoseChain, type Finding } from './diagnose.js';
import { probeServer, type ProbeFailure } from './probe.js';

export interface CheckOptions {
  /** The host name vehicles connect to (the `hostname` of the fleet_telemetry_config). */
  readonly hostname: string;
  /** Default 443, as the Fleet API's. */
  readonly port?: number | undefined;
  /** Connect here instead of resolving `hostname`; SNI and the name check still use `hostname`. */
  readonly address?: string | undefined;
  /** The CA chain vehicles are given (the `ca` of the fleet_telemetry_config), PEM. */
  readonly ca: string;
  /** A client certificate and key to offer (only servers that insist on one before showing theirs need it). */
  readonly clientCertificate?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  /** Default 10 000. */
  readonly timeoutMs?: number | undefined;
  /** Warn when a certificate expires within this many days (default 30). */
  readonly warnDays?: number | undefined;
  /** The time to judge validity at (default now). */
  readonly now?: Date | undefined;
}

/** One certificate of the chain, as reported. */
export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly fingerprint256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly subjectAltNames: readonly string[];
  /** Whether the CA file holds this certificate (otherwise the server sent it). */
  readonly inCaFile: boolean;
}

export interface CheckReport {
  readonly hostname: string;
  readonly port: number;
  readonly address: string | undefined;
  readonly ca: readonly { readonly subject: string; readonly fingerprint256: string }[];
  /** The TLS connection, when a handshake completed. */
  readonly connection: { readonly protocol?: string; readonly cipher?: string; readonly remoteAddress?: string } | undefined;
  /** Leaf first; empty when no handshake completed. */
  readonly chain: readonly CertificateSummary[];
  /** Days until the server certificate expires. */
  readonly daysLeft: number | undefined;
  readonly findings: readonly Finding[];
  /** No problems (warnings allowed). */
  readonly ok: boolean;
}

/** The CA given holds no usable certificate: a usage error, there is nothing to check against. */
export class CaCertificateError extends Error {
  override readonly name = 'CaCertificateError';
}

/**
 * Connects to the server as a vehicle would and reports whether vehicles given `ca` will accept
 * its certificate for `hostname`, and if not, why.
 */
export async function checkServerCertificate(options: CheckOptions): Promise<CheckReport> {
  const ca = caCertificates(options.ca);
  const port = options.port ?? 443;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? new Date();
  const base = {
    hostname: options.hostname,
    port,
    address: options.address,
    ca: ca.map((certificate) => ({ subject: certificate.subject, fingerprint256: certificate.fingerprint256 })),
  };
  const result = await probeServer({
    hostname: options.hostname,
    port,
    address: options.address,
    ca: ca.map((certificate) => certificate.toString()),
    clientCertificate: options.clientCertificate,
    timeoutMs,
  });
  if (result.kind === 'failed') {
    const findings = [connectionFinding(result, { ...base, timeoutMs, clientCertificate: options.clientCertificate !== undefined })];
    return { ...base, connection: undefined, chain: [], daysLeft: undefined, findings, ok: false };
  }
  const findings = diagnoseChain({
    hostname: options.hostname,
    chain: result.chain,
    ca,
    chainVerified: result.chainVerified,
    verifyError: result.verifyError,
    now,
    warnDays: options.warnDays ?? 30,
  });
  const inCa = new Set(ca.map((certificate) => certificate.fingerprint256));
  const [leaf] = result.chain;
  return {
    ...base,
    connection: { protocol: result.protocol, cipher: result.cipher, remoteAddress: result.remoteAddress },
    chain: result.chain.map((certificate) => summarise(certificate, inCa)),
    daysLeft: leaf === undefined ? undefined : daysUntil(validTo(leaf), now),
    findings,
    ok: findings.every((finding) => finding.severity !== 'problem'),
  };
}

function caCertificates(pem: string): X509Certificate[] {
  let certificates: X509Certificate[];
  try {
    certificates = parsePemCertificates(pem);
  } catch (error) {
    throw new CaCertificateError(`the CA holds a certificate that does not parse: ${(error as Error).message}`);
  }
  if (certificates.length === 0) throw new CaCertificateError('the CA holds no PEM certificate');
  return certificates;
}

function summarise(certificate: X509Certificate, inCa: ReadonlySet<string>): CertificateSummary {
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    fingerprint256: certificate.fingerprint256,
    notBefore: validFrom(certificate).toISOString(),
    notAfter: validTo(certificate).toISOString(),
    subjectAltNames: subjectAltNames(certificate),
    inCaFile: inCa.has(certificate.fingerprint256),
  };
}

interface Target {
  readonly hostname: string;
  readonly port: number;
  readonly address: string | undefined;
  readonly timeoutMs: number;
  readonly clientCertificate: boolean;
}

const notTlsCodes = /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL|HTTP_REQUEST|RECORD_LAYER_FAILURE|UNEXPECTED_EOF/;

/** Plain words for a connection that never got to a certificate. */
function connectionFinding(failure: ProbeFailure, target: Target): Finding {
  const where = `${target.address ?? target.hostname}:${target.port}`;
  const clientHint = target.clientCertificate
    ? ''
    : ' If the server insists on a client certificate before it shows its own (TLS 1.2), run again with --cert and --key (a vehicle-like certificate it trusts).';
  if (failure.stage === 'connect') {
    const reasons: Record<string, string> = {
      ENOTFOUND: `${target.address ?? target.hostname} does not resolve (DNS has no address for it)`,
      EAI_AGAIN: `${target.address ?? target.hostname} could not be resolved (DNS did not answer)`,
      ECONNREFUSED: `nothing listens on ${where} (connection refused)`,
      EHOSTUNREACH: `there is no route to ${where}`,
      ENETUNREACH: `there is no route to ${where} (network unreachable)`,
      ETIMEDOUT: `${where} did not answer (connection timed out)`,
      TIMEOUT: `${where} did not answer within ${target.timeoutMs / 1000} s (a firewall dropping packets?)`,
    };
    const reason = reasons[failure.code] ?? `cannot connect to ${where}: ${failure.message}`;
    return { severity: 'problem', code: 'unreachable', message: `The server is unreachable: ${reason}.` };
  }
  if (notTlsCodes.test(failure.code)) {
    return {
      severity: 'problem',
      code: 'not-tls',
      message: `${where} accepted the connection but does not speak TLS (${failure.code}). Is it a plain HTTP port, such as the status or metrics port, instead of the vehicles' mTLS port?`,
    };
  }
  if (/ALERT/.test(failure.code)) {
    const alert = failure.message.replace(/^.*alert /i, '').replace(/:.*$/, '');
    return {
      severity: 'problem',
      code: 'handshake-failed',
      message: `The server ended the TLS handshake with the alert "${alert}" (${failure.code}).${clientHint}`,
    };
  }
  if (failure.code === 'ECONNRESET' || failure.code === 'TIMEOUT') {
    const what = failure.code === 'TIMEOUT' ? `said nothing for ${target.timeoutMs / 1000} s` : 'closed it';
    return {
      severity: 'problem',
      code: 'not-tls',
      message: `${where} accepted the connection but ${what} without completing a TLS handshake: it may not speak TLS, or it refused this client.${clientHint}`,
    };
  }
  return {
    severity: 'problem',
    code: 'handshake-failed',
    message: `The TLS handshake with ${where} failed: ${failure.message} (${failure.code}).${clientHint}`,
  };
}
