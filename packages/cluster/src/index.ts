export type { MetricFamily, MetricSample, MetricType } from './metrics/exposition.js';
export { parsePrometheusText, PrometheusTextError } from './metrics/parse.js';
export { renderPrometheusText, PROMETHEUS_TEXT_CONTENT_TYPE } from './metrics/render.js';
export { cumulativeFamilies, mergeMetricFamilies, mergePrometheusText, type GaugeMergeRule, type MergeOptions } from './metrics/merge.js';
export { RestartBackoff, type RestartBackoffOptions } from './pool/restart-backoff.js';
export {
  WorkerPool,
  WorkerStartError,
  type PoolStopped,
  type PoolWorker,
  type WorkerExit,
  type WorkerPoolOptions,
} from './pool/worker-pool.js';
export { connectToPrimary, isPoolWorker, type PrimaryChannel, type ShutdownReason } from './worker/primary-channel.js';
