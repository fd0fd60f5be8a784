export { freePort, isListening, waitFor } from './ports.js';
export { ManagedProcess, type ManagedProcessOptions } from './managed-process.js';
export { KAFKA_VERSION, cacheDir, ensureKafkaJars, startKafka, type KafkaBroker, type KafkaOptions } from './kafka.js';
