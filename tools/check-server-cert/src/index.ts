export {
  checkServerCertificate,
  CaCertificateError,
  type CheckOptions,
  type CheckReport,
  type CertificateSummary,
} from './check.js';
export { diagnoseChain, type ChainInput, type Finding, type FindingCode, type Severity } from './diagnose.js';
export { probeServer, type ProbeOptions, type ProbeResult, type Handshake, type ProbeFailure } from './probe.js';
export { formatReport } from './format.js';
export { parseCliArguments, usage, UsageError, type CliCommand } from './cli-options.js';
