import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, ExtendedKeyUsage, id_ce_extKeyUsage, type Name } from '@peculiar/asn1-x509';

/** The parts of a client certificate its identity is derived from. */
export interface CertificateFields {
  /** The subject CN (the last one, when a subject has several). */
  readonly subjectCommonName: string;
  /** Every subject OU, in certificate order. */
  readonly subjectOrganizationalUnits: readonly string[];
  /** The issuer CN (the last one, when an issuer has several). */
  readonly issuerCommonName: string;
  /** Extended-key-usage OIDs, in certificate order. */
  readonly extendedKeyUsages: readonly string[];
}

const commonNameOid = '2.5.4.3';
const organizationalUnitOid = '2.5.4.11';

/** Reads the identity-relevant fields of a DER (or Node `X509Certificate`) certificate. */
export function certificateFields(certificate: Uint8Array | X509Certificate): CertificateFields {
  const der = certificate instanceof X509Certificate ? certificate.raw : certificate;
  const parsed = AsnConvert.parse(der, Certificate);
  const tbs = parsed.tbsCertificate;
  const eku = tbs.extensions?.find((extension) => extension.extnID === id_ce_extKeyUsage);
  return {
    subjectCommonName: lastAttribute(tbs.subject, commonNameOid),
    subjectOrganizationalUnits: attributes(tbs.subject, organizationalUnitOid),
    issuerCommonName: lastAttribute(tbs.issuer, commonNameOid),
    extendedKeyUsages:
      eku === undefined ? [] : [...AsnConvert.parse(eku.extnValue.buffer, ExtendedKeyUsage)],
  };
}

function attributes(name: Name, type: string): string[] {
  const values: string[] = [];
  for (const rdn of name) {
    for (const attribute of rdn) {
      if (attribute.type === type && attribute.value.anyValue === undefined) {
        values.push(attribute.value.toString());
      }
    }
  }
  return values;
}

function lastAttribute(name: Name, type: string): string {
  return attributes(name, type).at(-1) ?? '';
}
