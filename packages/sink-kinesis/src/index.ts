export { KinesisSink, type KinesisSinkOptions } from './kinesis-sink.js';
export { KinesisConfigError, kinesisSettings, streamName, type KinesisSettings } from './config.js';
export { KinesisConnectionError, KinesisDeliveryError, KinesisOverflowError, KinesisRecordRejectedError } from './errors.js';
export { MAX_BYTES_PER_CALL, MAX_RECORD_BYTES, MAX_RECORDS_PER_CALL, entryProblem, entrySize } from './limits.js';
