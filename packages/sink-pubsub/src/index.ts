export { MAX_MESSAGE_BYTES, PubSubSink, type PubSubSinkOptions } from './pubsub-sink.js';
export { PubSubConfigError, pubSubSettings, pubSubTarget, topicName, type PubSubSettings, type PubSubTarget } from './config.js';
export { PubSubConnectionError, PubSubDeliveryError, PubSubOverflowError, PubSubRecordRejectedError } from './errors.js';
