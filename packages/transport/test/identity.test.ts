import { X509Certificate } from 'node:crypto';
import {
  createIssuingCa,
  createRootCa,
  createVehicleCertificate,
  ExtKeyUsage,
  type CertifiedKey,
} from '@fleet-telemetry/dev-pki';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateFields, identityFromCertificate, type CertificateFields } from '../src/index.js';

const vin = '5YJ3E1EA7KF000001';
const prod = (n: number): string => `1.3.6.1.4.1.49279.2.5.${n}`;
const eng = (n: number): string => `1.3.6.1.4.1.49279.2.4.${n}`;
const wifiEap = '1.3.6.1.4.1.49279.2.5.1.1';

function fields(overrides: Partial<CertificateFields>): CertificateFields {
  return {
    subjectCommonName: vin,
    subjectOrganizationalUnits: [],
    issuerCommonName: 'Tesla Motors Product Issuing CA',
    extendedKeyUsages: [prod(1)],
    ...overrides,
  };
}

function clientTypeOf(overrides: Partial<CertificateFields>): string {
  const result = identityFromCertificate(fields(overrides));
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result.identity.clientType;
}

function rejectionOf(overrides: Partial<CertificateFields>): string {
  const result = identityFromCertificate(fields(overrides));
  if (result.ok) throw new Error(`accepted as ${result.identity.senderId}`);
  return result.reason;
}

describe('identityFromCertificate: OID issuers', () => {
  const oidIssuers = [
    'Tesla Motors Product Issuing CA',
    'Tesla Motors Product RSA Issuing CA',
    'Tesla Motors GF3 Product Issuing CA',
    'Tesla Motors GF3 Product RSA Issuing CA',
    'Tesla Energy Product Issuing CA',
    'Tesla Energy GF0 Product Issuing CA',
    'Tesla Motors GF0 Product Issuing CA',
    'Tesla Motors GF Austin Product Issuing CA',
    'Tesla Motors GF Berlin Product Issuing CA',
    'Tesla Product Access Issuing CA',
    'Tesla China Product Access Issuing CA',
    'Tesla GF0 Product Access Issuing CA',
    'Tesla GF3 Product Access Issuing CA',
    'Tesla GF Austin Product Access Issuing CA',
    'Tesla GF Berlin Product Access Issuing CA',
  ];

  it.each(oidIssuers)('reads the client type from the EKU OIDs for %s', (issuerCommonName) => {
    expect(clientTypeOf({ issuerCommonName, extendedKeyUsages: [prod(2)] })).toBe('energy_device');
    expect(rejectionOf({ issuerCommonName, extendedKeyUsages: [] })).toBe('unauthorized-certificate');
  });

  const mapped: Array<[number, string]> = [
    [1, 'vehicle_device'],
    [11, 'vehicle_board_device'],
    [2, 'energy_device'],
    [12, 'das_device'],
    [14, 'vehicle_service'],
    [15, 'das_service'],
    [16, 'energy_service'],
    [28, 'robotics_device'],
  ];

  it.each(mapped)('maps arc suffix %i to %s on the production and engineering arcs', (suffix, clientType) => {
    expect(clientTypeOf({ extendedKeyUsages: [prod(suffix)] })).toBe(clientType);
    expect(clientTypeOf({ extendedKeyUsages: [eng(suffix)] })).toBe(clientType);
  });

  it('rejects unmapped arc numbers and foreign OIDs as unauthorized', () => {
    for (const oid of [prod(3), eng(13), '1.3.6.1.5.5.7.3.2', '1.3.6.1.4.1.49279.2.6.1', prod(1) + '.2']) {
      expect(rejectionOf({ extendedKeyUsages: [oid] })).toBe('unauthorized-certificate');
    }
  });

  it('lets the first mapped OID decide, skipping unmapped ones before it', () => {
    expect(clientTypeOf({ extendedKeyUsages: ['1.3.6.1.5.5.7.3.2', prod(12), prod(1)] })).toBe('das_device');
    expect(clientTypeOf({ extendedKeyUsages: [eng(16), prod(1)] })).toBe('energy_service');
  });

  it('rejects the Wi-Fi EAP certificate when its OID comes before a mapped one', () => {
    expect(rejectionOf({ extendedKeyUsages: [wifiEap] })).toBe('excluded-certificate');
    expect(rejectionOf({ extendedKeyUsages: ['1.3.6.1.5.5.7.3.2', wifiEap, prod(1)] })).toBe('excluded-certificate');
  });

  it('stops at the first mapped OID, so a later Wi-Fi EAP OID does not matter', () => {
    expect(clientTypeOf({ extendedKeyUsages: [prod(1), wifiEap] })).toBe('vehicle_device');
  });

  it('lets a subject OU override the client type of a mapped OID', () => {
    expect(clientTypeOf({ extendedKeyUsages: [prod(2)], subjectOrganizationalUnits: ['Solar Inverter'] })).toBe(
      'solar_inverter_device',
    );
    expect(
      clientTypeOf({ extendedKeyUsages: [prod(2)], subjectOrganizationalUnits: ['Energy', 'Gen3 Wall Connector'] }),
    ).toBe('wall_connector_device');
    // The first OU that maps wins.
    expect(
      clientTypeOf({
        extendedKeyUsages: [prod(2)],
        subjectOrganizationalUnits: ['Gen3 Wall Connector', 'Solar Inverter'],
      }),
    ).toBe('wall_connector_device');
    expect(clientTypeOf({ extendedKeyUsages: [prod(2)], subjectOrganizationalUnits: ['Powerwall'] })).toBe(
      'energy_device',
    );
  });

  it('does not let an OU stand in for a missing OID', () => {
    expect(rejectionOf({ extendedKeyUsages: [], subjectOrganizationalUnits: ['Solar Inverter'] })).toBe(
      'unauthorized-certificate',
    );
  });

  it('ignores the legacy board OU for OID issuers', () => {
    expect(clientTypeOf({ subjectOrganizationalUnits: ['Tesla Motors SN'] })).toBe('vehicle_device');
  });
});

describe('identityFromCertificate: legacy issuers', () => {
  it.each(['TeslaMotors', 'Tesla Issuing CA', 'Tesla Motors Products CA'])('treats %s as vehicle_device', (issuer) => {
    expect(clientTypeOf({ issuerCommonName: issuer, extendedKeyUsages: [] })).toBe('vehicle_device');
    // EKU OIDs play no part for legacy issuers, not even the excluded one.
    expect(clientTypeOf({ issuerCommonName: issuer, extendedKeyUsages: [wifiEap, prod(2)] })).toBe('vehicle_device');
  });

  it('gives vehicle_board_device for Tesla Motors Products CA when the first OU is Tesla Motors SN', () => {
    const issuerCommonName = 'Tesla Motors Products CA';
    expect(clientTypeOf({ issuerCommonName, subjectOrganizationalUnits: ['Tesla Motors SN'] })).toBe(
      'vehicle_board_device',
    );
    expect(clientTypeOf({ issuerCommonName, subjectOrganizationalUnits: ['Other', 'Tesla Motors SN'] })).toBe(
      'vehicle_device',
    );
    expect(clientTypeOf({ issuerCommonName: 'Tesla Issuing CA', subjectOrganizationalUnits: ['Tesla Motors SN'] })).toBe(
      'vehicle_device',
    );
  });

  it('rejects any other issuer as unknown, with the names for the log', () => {
    const result = identityFromCertificate(fields({ issuerCommonName: 'Some Other CA' }));
    expect(result).toEqual({
      ok: false,
      reason: 'unknown-issuer',
      issuerCommonName: 'Some Other CA',
      subjectCommonName: vin,
    });
    // Names are compared exactly.
    expect(rejectionOf({ issuerCommonName: 'tesla issuing ca' })).toBe('unknown-issuer');
    expect(rejectionOf({ issuerCommonName: '' })).toBe('unknown-issuer');
  });
});

describe('identityFromCertificate: device and sender ids', () => {
  it('replaces every dot of the CN with a dash', () => {
    const result = identityFromCertificate(fields({ subjectCommonName: 'device.serial.01', extendedKeyUsages: [prod(2)] }));
    expect(result).toEqual({
      ok: true,
      identity: { deviceId: 'device-serial-01', clientType: 'energy_device', senderId: 'energy_device.device-serial-01' },
    });
  });

  it('builds the sender id as <client type>.<device id>', () => {
    const result = identityFromCertificate(fields({}));
    expect(result.ok && result.identity.senderId).toBe(`vehicle_device.${vin}`);
  });
});

describe('identityFromCertificate on real certificates', () => {
  let issuing: CertifiedKey;
  let legacy: CertifiedKey;

  beforeAll(async () => {
    const root = await createRootCa();
    issuing = await createIssuingCa(root);
    legacy = await createIssuingCa(root, { commonName: 'Tesla Motors Products CA' });
  });

  const der = (pem: string): X509Certificate => new X509Certificate(pem);

  it('reads CN, OUs and EKU OIDs in certificate order', async () => {
    const leaf = await createVehicleCertificate(issuing, {
      vin: 'SN.1234',
      extKeyUsageOids: [wifiEap, prod(1)],
      organizationalUnits: ['Gen3 Wall Connector', 'Solar Inverter'],
    });
    expect(certificateFields(der(leaf.cert))).toEqual({
      subjectCommonName: 'SN.1234',
      subjectOrganizationalUnits: ['Gen3 Wall Connector', 'Solar Inverter'],
      issuerCommonName: 'Tesla Motors Product Issuing CA',
      extendedKeyUsages: [wifiEap, prod(1), ExtKeyUsage.clientAuth],
    });
    expect(certificateFields(der(leaf.cert).raw)).toEqual(certificateFields(der(leaf.cert)));
  });

  it('accepts a vehicle certificate', async () => {
    const leaf = await createVehicleCertificate(issuing, { vin });
    expect(identityFromCertificate(der(leaf.cert))).toEqual({
      ok: true,
      identity: { deviceId: vin, clientType: 'vehicle_device', senderId: `vehicle_device.${vin}` },
    });
  });

  it('rejects the Wi-Fi EAP certificate', async () => {
    const leaf = await createVehicleCertificate(issuing, { vin, extKeyUsageOids: [wifiEap] });
    expect(identityFromCertificate(der(leaf.cert))).toMatchObject({ ok: false, reason: 'excluded-certificate' });
  });

  it('rejects a certificate with no Tesla OID', async () => {
    const leaf = await createVehicleCertificate(issuing, { vin, extKeyUsageOids: [] });
    expect(identityFromCertificate(der(leaf.cert))).toMatchObject({ ok: false, reason: 'unauthorized-certificate' });
  });

  it('reads legacy board certificates', async () => {
    const leaf = await createVehicleCertificate(legacy, {
      vin: 'board.7',
      extKeyUsageOids: [],
      organizationalUnits: ['Tesla Motors SN'],
    });
    expect(identityFromCertificate(der(leaf.cert))).toEqual({
      ok: true,
      identity: { deviceId: 'board-7', clientType: 'vehicle_board_device', senderId: 'vehicle_board_device.board-7' },
    });
  });
});
