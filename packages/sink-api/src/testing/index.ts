export { testRecord, type TestRecordOverrides } from './test-record.js';
export { MemorySink, type MemorySinkOptions } from './memory-sink.js';
export { ManualSink, type ManualSinkOptions } from './manual-sink.js';
export { FailingSink, type FailingSinkOptions } from './failing-sink.js';
