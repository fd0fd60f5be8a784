export { teslaCaBundle, type TeslaCaEnvironment } from './tls/ca-bundles.js';
export {
  createTlsOptions,
  clientCaCertificates,
  splitPemCertificates,
  type TlsFiles,
  type TelemetryTlsOptions,
  type ClientCaOptions,
} from './tls/options.js';
export {
  readTlsMaterial,
  readTlsFileContents,
  tlsMaterialFrom,
  TlsMaterialError,
  type TlsFileKey,
  type TlsFileContents,
} from './tls/material.js';
export {
  TlsReloader,
  type TlsReloaderOptions,
  type TlsReloadTarget,
  type TlsReloadInfo,
  type TlsReloadOutcome,
} from './tls/reloader.js';
export { DirectoryWatcher, type DirectoryWatcherOptions } from './tls/directory-watcher.js';
export { certificateFields, type CertificateFields } from './identity/certificate-fields.js';
export {
  identityFromCertificate,
  type ClientIdentity,
  type IdentityRejection,
  type IdentityResult,
} from './identity/identity.js';
export { canonicalUuid, socketIdFromHeader } from './connection/socket-id.js';
export { TelemetryServer, maxTrackedVins, type TelemetryServerOptions, type CloseOptions } from './server/telemetry-server.js';
export { SocketRegistry, type RegisteredSocket } from './server/socket-registry.js';
export { connectivityRecord, type ConnectivityStatus } from './server/connectivity.js';
export { TelemetrySocket, type PauseReason } from './connection/telemetry-socket.js';
export { FrameProcessor, type FrameProcessorOptions, type ResponseChannel } from './connection/frame-processor.js';
export { buildRecord, RecordBuildError, type RecordInput, type BuiltRecord } from './connection/record-builder.js';
export { defaultSocketLimits, resolveSocketLimits, type SocketLimits } from './connection/limits.js';
export type { ConnectionInfo, DisconnectionInfo } from './connection/connection-info.js';
export type { TransportDispatcher } from './dispatcher.js';
export { createTransportMetrics, type TransportMetrics } from './metrics.js';
