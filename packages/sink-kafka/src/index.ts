export { KafkaConfigError, producerConfig, type ProducerConfigValue, type ProducerSettings } from './producer-config.js';
export { topicName, metadataHeaders } from './message.js';
