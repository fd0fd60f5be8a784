import { parseStatsdAddress, startStatsdPush, StatsdMetricExporter, type MetricSource, type StatsdPush } from '@fleet-telemetry/metrics-statsd';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/index.js';

/** The reference server flushes every 100 ms when `flush_period` is 0 or absent. */
export const DEFAULT_STATSD_FLUSH_PERIOD_MS = 100;

/**
 * Pushes the metrics `/metrics` serves to `monitoring.statsd` every `flush_period`, from the
 * Prometheus reader (the provider is built before the config is read, so it gets no reader of
 * its own). Undefined when the config has no StatsD host.
 */
export function startStatsdFromConfig(config: ServerConfig, source: MetricSource, logger: Logger): StatsdPush | undefined {
  const statsd = config.monitoring?.statsd;
  if (!statsd?.host) return undefined;
  const { host, port } = parseStatsdAddress(statsd.host);
  const flushPeriodMs = statsd.flush_period || DEFAULT_STATSD_FLUSH_PERIOD_MS;
  const tagFormat = statsd.tag_format ?? 'influxdb';
  const statsdLogger = logger.child({ component: 'statsd' });
  const push = startStatsdPush({
    source,
    exporter: new StatsdMetricExporter({
      host,
      port,
      prefix: statsd.prefix,
      tagFormat,
      // A percentage in the config; 0 is the reference's unset value.
      sampleRate: statsd.sample_rate ? statsd.sample_rate / 100 : 1,
      logger: statsdLogger,
    }),
    intervalMs: flushPeriodMs,
    logger: statsdLogger,
  });
  logger.info({ host: statsd.host, prefix: statsd.prefix ?? '', flush_period_ms: flushPeriodMs, tag_format: tagFormat }, 'statsd_push_started');
  return push;
}
