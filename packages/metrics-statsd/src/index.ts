export { parseStatsdAddress, type StatsdAddress } from './address.js';
export { DeltaTracker } from './delta-tracker.js';
export { STATSD_TAG_FORMATS, statsdSeries, type StatsdSeries, type StatsdTagFormat } from './naming.js';
export { StatsdMetricExporter, type StatsdExporterOptions } from './statsd-exporter.js';
export { startStatsdPush, type MetricSource, type StatsdPush, type StatsdPushOptions } from './statsd-push.js';
export { createStatsdMetricReader, type StatsdReaderOptions } from './statsd-reader.js';
export { statsdTemporality } from './temporality.js';
