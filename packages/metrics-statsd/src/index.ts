export { parseStatsdAddress, type StatsdAddress } from './address.js';
export { STATSD_TAG_FORMATS, statsdSeries, type StatsdSeries, type StatsdTagFormat } from './naming.js';
export { StatsdMetricExporter, type StatsdExporterOptions } from './statsd-exporter.js';
export { createStatsdMetricReader, type StatsdReaderOptions } from './statsd-reader.js';
export { statsdTemporality } from './temporality.js';
