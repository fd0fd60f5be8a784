import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { daysUntil, isSelfSigned, nameOf, subjectAltNames, validFrom, validTo } from './certificates.js';

/** `problem`: vehicles will refuse the server (exit 1); `warning`: they will not yet. */
export type Severity = 'problem' | 'warning';

export type FindingCode =
  | 'unreachable'
  | 'not-tls'
  | 'handshake-failed'
  | 'no-certificate'
  | 'missing-intermediate'
  | 'unknown-root'
  | 'self-signed'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-name'
  | 'untrusted'
  | 'expires-soon';

export interface Finding {
  readonly severity: Severity;
  readonly code: FindingCode;
  /** What is wrong and what to do about it, in plain words. */
  readonly message: string;
}

export interface ChainInput {
  /** The name vehicles connect to. */
  readonly hostname: string;
  /** Leaf first, as the handshake presented and OpenSSL linked it. */
  readonly chain: readonly X509Certificate[];
  /** The CA certificates vehicles are given. */
  readonly ca: readonly X509Certificate[];
  /** OpenSSL's verdict on the chain against `ca`, and its reason when negative. */
  readonly chainVerified: boolean;
  readonly verifyError?: string | undefined;
  readonly now: Date;
  /** Certificates expiring within this many days get a warning. */
  readonly warnDays: number;
}

/**
 * Explains a server's certificate chain as vehicles will judge it: the chain against the CA they
 * are given, the host name against the subjectAltName, and the validity of every certificate.
 * OpenSSL's verdict decides whether the chain is trusted; the rest says why not, in plain words.
 */
export function diagnoseChain(input: ChainInput): Finding[] {
  const [leaf] = input.chain;
  if (leaf === undefined) {
    return [{ severity: 'problem', code: 'no-certificate', message: 'The server completed the handshake without a certificate.' }];
  }
  const findings = [...nameFindings(input.hostname, leaf), ...validityFindings(input)];
  if (!input.chainVerified) {
    const trust = trustFindings(input);
    const explained = trust.length > 0 || findings.some((finding) => finding.code === 'expired' || finding.code === 'not-yet-valid');
    findings.push(...trust);
    if (!explained) {
      findings.push({
        severity: 'problem',
        code: 'untrusted',
        message: `The chain does not verify against the CA file: ${describeVerifyError(input.verifyError)}.`,
      });
    }
  }
  // Problems first: they decide the outcome.
  return [...findings.filter((finding) => finding.severity === 'problem'), ...findings.filter((finding) => finding.severity === 'warning')];
}

function nameFindings(hostname: string, leaf: X509Certificate): Finding[] {
  const matches =
    isIP(hostname) !== 0 ? leaf.checkIP(hostname) !== undefined : leaf.checkHost(hostname, { subject: 'never' }) !== undefined;
  if (matches) return [];
  const names = subjectAltNames(leaf);
  const listed = names.length > 0 ? `its subjectAltName lists ${names.join(', ')}` : 'it has no subjectAltName at all';
  const commonName = /^CN=(.*)$/m.exec(leaf.subject)?.[1];
  const cnNote =
    commonName?.toLowerCase() === hostname.toLowerCase()
      ? ` Its subject CN is ${commonName}, but clients match names against the subjectAltName only.`
      : '';
  return [
    {
      severity: 'problem',
      code: 'wrong-name',
      message: `The server certificate is not valid for ${hostname}: ${listed}.${cnNote} Vehicles connect to the hostname of the fleet_telemetry_config, so it must be in the subjectAltName.`,
    },
  ];
}

function validityFindings(input: ChainInput): Finding[] {
  const findings: Finding[] = [];
  input.chain.forEach((certificate, index) => {
    const what = roleOf(certificate, index);
    const notBefore = validFrom(certificate);
    const notAfter = validTo(certificate);
    const daysLeft = daysUntil(notAfter, input.now);
    if (notBefore.getTime() > input.now.getTime()) {
      findings.push({
        severity: 'problem',
        code: 'not-yet-valid',
        message: `${capitalise(what)} is not valid yet: its validity starts ${day(notBefore)} (check the server's and this machine's clocks).`,
      });
    } else if (notAfter.getTime() < input.now.getTime()) {
      findings.push({
        severity: 'problem',
        code: 'expired',
        message: `${capitalise(what)} expired ${day(notAfter)} (${-daysLeft} days ago). Renew it and deploy the new one.`,
      });
    } else if (daysLeft < input.warnDays) {
      findings.push({
        severity: 'warning',
        code: 'expires-soon',
        message: `${capitalise(what)} expires ${day(notAfter)}: ${daysLeft} days left. Renew it before then.`,
      });
    }
  });
  return findings;
}

/** Why the chain does not lead to a certificate of the CA file. */
function trustFindings(input: ChainInput): Finding[] {
  const { chain, ca } = input;
  const inCa = new Set(ca.map((certificate) => certificate.fingerprint256));
  const top = chain[chain.length - 1]!;
  const caSummary = `(the CA file holds ${ca.map((certificate) => nameOf(certificate.subject)).join('; ')})`;
  if (inCa.has(top.fingerprint256)) {
    if (isSelfSigned(top)) return [];
    return [
      {
        severity: 'problem',
        code: 'unknown-root',
        message: `The CA file holds ${nameOf(top.subject)} but not the root that issued it, ${nameOf(top.issuer)}. Add that root to the CA file.`,
      },
    ];
  }
  if (isSelfSigned(top)) {
    if (chain.length === 1) {
      return [
        {
          severity: 'problem',
          code: 'self-signed',
          message: `The server certificate is self-signed and the CA file does not contain it ${caSummary}. Vehicles will refuse it: use a certificate from a CA and give vehicles that CA's chain, or give them this certificate as the CA.`,
        },
      ];
    }
    return [
      {
        severity: 'problem',
        code: 'unknown-root',
        message: `The server's chain ends at the root ${nameOf(top.subject)}, which the CA file does not contain ${caSummary}. The CA file must contain the root that issued the server certificate.`,
      },
    ];
  }
  if (chain.length === 1) {
    return [
      {
        severity: 'problem',
        code: 'missing-intermediate',
        message: `The server sends only its own certificate, and the CA file has no certificate for its issuer, ${nameOf(top.issuer)} ${caSummary}. The intermediate certificate is missing: configure the server with its certificate followed by the intermediate(s) (the "full chain"), or add the intermediate to the CA file.`,
      },
    ];
  }
  return [
    {
      severity: 'problem',
      code: 'unknown-root',
      message: `The chain the server sends ends at ${nameOf(top.subject)}, issued by ${nameOf(top.issuer)}, and the CA file does not contain that issuer ${caSummary}. The CA file must contain the root that issued the server certificate.`,
    },
  ];
}

function roleOf(certificate: X509Certificate, index: number): string {
  if (index === 0) return 'the server certificate';
  return `${isSelfSigned(certificate) ? 'the root CA' : 'the intermediate CA'} ${nameOf(certificate.subject)}`;
}

const verifyErrors: Record<string, string> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer of a certificate in the chain is neither sent by the server nor in the CA file',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer of a certificate in the chain is neither sent by the server nor in the CA file',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the issuer of the server certificate is neither sent by the server nor in the CA file',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends at a root the CA file does not contain',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not in the CA file',
  CERT_SIGNATURE_FAILURE: 'a signature in the chain does not verify',
  INVALID_PURPOSE: 'a certificate in the chain is not meant for TLS servers (its extended key usage lacks serverAuth, or an issuer is not a CA)',
  INVALID_CA: 'an issuer in the chain is not a CA certificate',
  PATH_LENGTH_EXCEEDED: 'the chain is longer than an issuer allows (path length constraint)',
  CERT_REVOKED: 'a certificate in the chain is revoked',
};

function describeVerifyError(code: string | undefined): string {
  if (code === undefined) return 'OpenSSL gave no reason';
  const plain = verifyErrors[code];
  return plain === undefined ? `OpenSSL says ${code}` : `${plain} (${code})`;
}

function day(date: Date): string {
  return `on ${date.toISOString().slice(0, 10)}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
