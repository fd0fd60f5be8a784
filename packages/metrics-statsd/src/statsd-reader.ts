import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { StatsdMetricExporter, type StatsdExporterOptions } from './statsd-exporter.js';

export interface StatsdReaderOptions extends StatsdExporterOptions {
  /** How often the metrics are collected and sent, in milliseconds (the StatsD flush period). */
  readonly flushPeriodMs: number;
  /** Series kept per instrument. Default: 100,000 (some metrics are labelled by VIN). */
  readonly seriesLimitPerInstrument?: number | undefined;
}

/** A reader to give a `MeterProvider`: every `flushPeriodMs` it sends the metrics to StatsD. */
export function createStatsdMetricReader(options: StatsdReaderOptions): PeriodicExportingMetricReader {
  if (!Number.isInteger(options.flushPeriodMs) || options.flushPeriodMs < 1) {
    throw new RangeError(`flushPeriodMs must be a positive integer, got ${options.flushPeriodMs}`);
  }
  return new PeriodicExportingMetricReader({
    exporter: new StatsdMetricExporter(options),
    exportIntervalMillis: options.flushPeriodMs,
    // The SDK wants the timeout within the interval; a UDP export only waits for the socket.
    exportTimeoutMillis: Math.min(options.flushPeriodMs, 5_000),
    cardinalityLimits: { default: options.seriesLimitPerInstrument ?? 100_000 },
  });
}
