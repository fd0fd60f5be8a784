export { runSimulation } from './simulation.js';
export {
  defaultUrl,
  networkInterfaces,
  resolveOptions,
  type NetworkInterface,
  type Phase,
  type Progress,
  type ResolvedOptions,
  type SimulationOptions,
  type Summary,
  type TopicCounts,
} from './options.js';
export type { VehicleIdentity } from './vehicle.js';
export { defaultMix, parseMix, simulatedTopics, MixSequencer, type Mix, type MixEntry, type SimulatedTopic } from './mix.js';
export { Pacer, framesDue, dueAt } from './schedule.js';
export { LatencyHistogram, type LatencySummary } from './latency.js';
export { createRandom, type Random } from './random.js';
export { buildVehicleData, encodeVehicleData, formatLocation, minVehicleDatums, maxVehicleDatums } from './payloads/vehicle-data.js';
export { buildVehicleAlerts, encodeVehicleAlerts, alertNames } from './payloads/alerts.js';
export { buildVehicleErrors, encodeVehicleErrors } from './payloads/errors.js';
export { initialVehicleState, advanceVehicleState, type VehicleState, type DriveMode } from './payloads/vehicle-state.js';
export { payloadEncoders, type PayloadEncoder } from './payloads/index.js';
export { defaultPkiDir, findRepoRoot, loadPkiIdentities, type PkiIdentities } from './identities.js';
export { main as runCli, ExitCode, type CliIo } from './cli/main.js';
export { parseCliArgs, usage } from './cli/args.js';
export { formatProgress, formatSummary } from './cli/format.js';
export {
  startAckServer,
  type AckServer,
  type AckServerConnection,
  type AckServerOptions,
  type AckServerResponder,
} from './ack-server.js';
