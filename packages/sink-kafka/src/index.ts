export { KafkaSink, type KafkaSinkOptions } from './kafka-sink.js';
export { KafkaDeliveryError, KafkaOverflowError } from './errors.js';
export { KafkaConfigError, producerConfig, type ProducerConfigValue, type ProducerSettings } from './producer-config.js';
export { topicName, metadataHeaders } from './message.js';
