export {
  createRootCa,
  createIssuingCa,
  createServerCertificate,
  createSelfSignedServerCertificate,
  createVehicleCertificate,
  ExtKeyUsage,
  defaultRootCommonName,
  defaultIssuingCommonName,
  defaultServerHosts,
  type CertifiedKey,
  type RootCaOptions,
  type IssuingCaOptions,
  type ServerCertificateOptions,
  type VehicleCertificateOptions,
} from './certificates.js';
export { createDevPki, loadDevPki, type DevPki, type DevPkiOptions, type DevVehicle } from './dev-pki.js';
export { keyAlgorithms, defaultKeyAlgorithm, type KeyAlgorithm } from './keys.js';
export { devVin, isValidVin, vinCheckDigit } from './vin.js';
export { pemCertificates } from './pem.js';
export type { ValidityOptions } from './validity.js';
