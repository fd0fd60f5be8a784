import type { X509Certificate } from 'node:crypto';
import { certificateFields, type CertificateFields } from './certificate-fields.js';
import {
  clientTypeByOid,
  clientTypeByOrganizationalUnit,
  excludedOids,
  legacyBoardIssuer,
  legacyBoardOrganizationalUnit,
  legacyVehicleIssuers,
  oidIssuers,
} from './rules.js';

/** Who is on the other end of a socket, as its client certificate says. */
export interface ClientIdentity {
  /** The subject CN with `.` replaced by `-`: the VIN, for a vehicle. */
  readonly deviceId: string;
  /** `vehicle_device`, `energy_device`, ... */
  readonly clientType: string;
  /** `<clientType>.<deviceId>`. */
  readonly senderId: string;
}

/**
 * Why a verified certificate still may not open a session:
 * - `excluded-certificate`: a certificate Tesla marks as never valid here (Wi-Fi EAP);
 * - `unauthorized-certificate`: an OID issuer, but no extended key usage names a client type;
 * - `unknown-issuer`: the issuer is neither an OID issuer nor a legacy vehicle issuer.
 */
export type IdentityRejection = 'excluded-certificate' | 'unauthorized-certificate' | 'unknown-issuer';

export type IdentityResult =
  | { readonly ok: true; readonly identity: ClientIdentity }
  | {
      readonly ok: false;
      readonly reason: IdentityRejection;
      readonly issuerCommonName: string;
      readonly subjectCommonName: string;
    };

/** Derives the client identity from a leaf certificate (DER, Node `X509Certificate` or its fields). */
export function identityFromCertificate(leaf: Uint8Array | X509Certificate | CertificateFields): IdentityResult {
  const fields = isCertificateFields(leaf) ? leaf : certificateFields(leaf);
  const deviceId = fields.subjectCommonName.replaceAll('.', '-');
  const clientType = oidIssuers.has(fields.issuerCommonName)
    ? clientTypeFromOids(fields)
    : clientTypeFromLegacyIssuer(fields);
  if (typeof clientType !== 'string') {
    return {
      ok: false,
      reason: clientType.rejected,
      issuerCommonName: fields.issuerCommonName,
      subjectCommonName: fields.subjectCommonName,
    };
  }
  return { ok: true, identity: { deviceId, clientType, senderId: `${clientType}.${deviceId}` } };
}

type ClientTypeOutcome = string | { readonly rejected: IdentityRejection };

function clientTypeFromOids(fields: CertificateFields): ClientTypeOutcome {
  // Order matters: the first excluded or mapped OID decides.
  for (const oid of fields.extendedKeyUsages) {
    if (excludedOids.has(oid)) return { rejected: 'excluded-certificate' };
    const clientType = clientTypeByOid.get(oid);
    if (clientType !== undefined) {
      const override = fields.subjectOrganizationalUnits
        .map((unit) => clientTypeByOrganizationalUnit.get(unit))
        .find((type) => type !== undefined);
      return override ?? clientType;
    }
  }
  return { rejected: 'unauthorized-certificate' };
}

function clientTypeFromLegacyIssuer(fields: CertificateFields): ClientTypeOutcome {
  if (!legacyVehicleIssuers.has(fields.issuerCommonName)) return { rejected: 'unknown-issuer' };
  const isBoard =
    fields.issuerCommonName === legacyBoardIssuer &&
    fields.subjectOrganizationalUnits[0] === legacyBoardOrganizationalUnit;
  return isBoard ? 'vehicle_board_device' : 'vehicle_device';
}

function isCertificateFields(value: unknown): value is CertificateFields {
  return typeof value === 'object' && value !== null && 'extendedKeyUsages' in value;
}
