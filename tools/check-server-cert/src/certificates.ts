import { X509Certificate } from 'node:crypto';

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle, in order; a block that does not parse throws. */
export function parsePemCertificates(pem: string): X509Certificate[] {
  return (pem.match(pemBlock) ?? []).map((block) => new X509Certificate(block));
}

/** Issued by itself and signed by its own key: a root, or a self-signed server certificate. */
export function isSelfSigned(certificate: X509Certificate): boolean {
  // Not checkIssued(): OpenSSL's version also wants keyCertSign, which a self-signed leaf lacks.
  return certificate.issuer === certificate.subject && certificate.verify(certificate.publicKey);
}

const dayMs = 24 * 60 * 60 * 1000;

/** Whole days from `now` until `date` (negative once it has passed). */
export function daysUntil(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / dayMs);
}

/** The end of validity as a Date (Node 20's X509Certificate only has the text form). */
export function validTo(certificate: X509Certificate): Date {
  return new Date(certificate.validTo);
}

export function validFrom(certificate: X509Certificate): Date {
  return new Date(certificate.validFrom);
}

/** `CN=a, O=b` on one line (Node separates attributes with newlines). */
export function nameOf(distinguishedName: string): string {
  return distinguishedName.split('\n').join(', ');
}

/** The subjectAltName entries, e.g. `DNS:telemetry.example.com`, or none. */
export function subjectAltNames(certificate: X509Certificate): string[] {
  const names = certificate.subjectAltName;
  return names === undefined ? [] : names.split(', ');
}
