export type { PayloadEncoding, RecordMetadata, TelemetryRecord } from './record.js';
export type { DeliveryCallback, Sink, SinkHealth } from './sink.js';
export type { AckOutcome, DispatchResult, RecordDispatcher } from './dispatcher.js';
