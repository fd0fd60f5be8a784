export type { PayloadEncoding, RecordMetadata, TelemetryRecord } from './record.js';
export type { DeliveryCallback, Sink, SinkHealth } from './sink.js';
export type { AckOutcome, DispatchResult, RecordDispatcher } from './dispatcher.js';
export {
  validateRoutingConfig,
  type RoutingConfig,
  type RoutingProblem,
  type RoutingValidation,
  type SinkDescriptor,
} from './routing-config.js';
export {
  RecordRouter,
  type AckPolicy,
  type RecordRouterConfig,
  type RecordRouterOptions,
} from './router/record-router.js';
export { RoutingConfigError, SinkClosedError } from './errors.js';
export { DrainNotifier } from './drain-notifier.js';
export { NoopSink } from './noop-sink.js';
export { IdleWaiters } from './idle-waiters.js';
export { ThrottledLog } from './throttled-log.js';
export { summedCounter, type SummedCounter, type SummedTotal } from './summed-counter.js';
