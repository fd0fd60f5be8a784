export { freePort, isListening, waitFor } from './ports.js';
export { ManagedProcess, type ManagedProcessOptions } from './managed-process.js';
export { KAFKA_VERSION, cacheDir, ensureKafkaJars, startKafka, type KafkaBroker, type KafkaOptions } from './kafka.js';
export { startKinesalite, type Kinesalite, type KinesaliteOptions } from './kinesalite.js';
export {
  DEFAULT_PUBSUB_EMULATOR_BIN,
  pubSubEmulatorBinary,
  startPubSubEmulator,
  type PubSubEmulator,
  type PubSubEmulatorOptions,
} from './pubsub-emulator.js';
