/**
 * The identity rules vehicles and other Tesla devices are held to. Names and OIDs are Tesla's
 * (see the protocol notes, section 2); they must not drift.
 */

/** Issuers whose certificates carry the client type in their extended-key-usage OIDs. */
export const oidIssuers: ReadonlySet<string> = new Set([
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
]);

/** Older issuers that only ever issued vehicle certificates. */
export const legacyVehicleIssuers: ReadonlySet<string> = new Set([
  'TeslaMotors',
  'Tesla Issuing CA',
  'Tesla Motors Products CA',
]);

/** The legacy issuer whose `Tesla Motors SN` certificates belong to a vehicle's boards. */
export const legacyBoardIssuer = 'Tesla Motors Products CA';
export const legacyBoardOrganizationalUnit = 'Tesla Motors SN';

const engineeringArc = '1.3.6.1.4.1.49279.2.4';
const productionArc = '1.3.6.1.4.1.49279.2.5';

const clientTypeByArcSuffix: ReadonlyArray<readonly [number, string]> = [
  [1, 'vehicle_device'],
  [11, 'vehicle_board_device'],
  [2, 'energy_device'],
  [12, 'das_device'],
  [14, 'vehicle_service'],
  [15, 'das_service'],
  [16, 'energy_service'],
  [28, 'robotics_device'],
];

/** Extended-key-usage OID → client type; the engineering and production arcs map alike. */
export const clientTypeByOid: ReadonlyMap<string, string> = new Map(
  clientTypeByArcSuffix.flatMap(([suffix, clientType]) => [
    [`${engineeringArc}.${suffix}`, clientType] as const,
    [`${productionArc}.${suffix}`, clientType] as const,
  ]),
);

/** A subject OU that overrides the OID's client type. */
export const clientTypeByOrganizationalUnit: ReadonlyMap<string, string> = new Map([
  ['Solar Inverter', 'solar_inverter_device'],
  ['Gen3 Wall Connector', 'wall_connector_device'],
]);

/** Certificates that must never open a telemetry session (the vehicle's Wi-Fi EAP certificate). */
export const excludedOids: ReadonlySet<string> = new Set(['1.3.6.1.4.1.49279.2.5.1.1']);
