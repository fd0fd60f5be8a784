import { ExportResultCode } from '@opentelemetry/core';
import type { CollectionResult, PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { Logger } from 'pino';

/** Anything that collects metrics on demand: a `MetricReader` (for example a Prometheus pull reader). */
export interface MetricSource {
  collect(): Promise<CollectionResult>;
}

export interface StatsdPushOptions {
  readonly source: MetricSource;
  /** A `StatsdMetricExporter` (cumulative collections are turned into changes). */
  readonly exporter: PushMetricExporter;
  /** Milliseconds between pushes (the StatsD flush period). */
  readonly intervalMs: number;
  /** Default: silent. */
  readonly logger?: Logger | undefined;
}

export interface StatsdPush {
  /** Pushes once more, so the last changes are not lost, then shuts the exporter down. */
  stop(): Promise<void>;
}

/**
 * Collects from `source` every `intervalMs` and hands the result to `exporter`. For a process whose
 * `MeterProvider` was built before the StatsD settings were known: the SDK takes its readers only
 * when the provider is constructed, but any existing reader can be collected from. A push still
 * running when the next is due makes that one skip.
 */
export function startStatsdPush(options: StatsdPushOptions): StatsdPush {
  if (!Number.isInteger(options.intervalMs) || options.intervalMs < 1) {
    throw new RangeError(`intervalMs must be a positive integer, got ${options.intervalMs}`);
  }
  let pushing: Promise<void> | undefined;
  const push = (): Promise<void> =>
    (pushing ??= (async () => {
      try {
        const { resourceMetrics, errors } = await options.source.collect();
        for (const error of errors) options.logger?.warn({ err: error }, 'statsd_collect_error');
        const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) => options.exporter.export(resourceMetrics, resolve));
        if (result.code !== ExportResultCode.SUCCESS) options.logger?.warn({ err: result.error }, 'statsd_export_failed');
      } catch (error) {
        options.logger?.warn({ err: error }, 'statsd_export_failed');
      } finally {
        pushing = undefined;
      }
    })());
  const timer = setInterval(() => void push(), options.intervalMs);
  // The push never keeps the process alive on its own.
  timer.unref();
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(timer);
        await pushing;
        await push();
        await options.exporter.shutdown();
      })()),
  };
}
