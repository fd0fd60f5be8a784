import type { Attributes } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  DataPointType,
  type InstrumentType,
  type MetricData,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import StatsDClient, { type StatsD } from 'hot-shots';
import type { Logger } from 'pino';
import { DeltaTracker } from './delta-tracker.js';
import { statsdSeries, type StatsdSeries, type StatsdTagFormat } from './naming.js';
import { statsdTemporality } from './temporality.js';

export interface StatsdExporterOptions {
  readonly host: string;
  readonly port: number;
  /** Prepended to every metric name as written: `fleet.` gives `fleet.record_total`. Default: none. */
  readonly prefix?: string | undefined;
  /** How labels are sent (see {@link StatsdTagFormat}). Default: `influxdb`, as the reference server. */
  readonly tagFormat?: StatsdTagFormat | undefined;
  /**
   * Share (0, 1] of counter and histogram lines sent; sent lines carry `|@rate` so the StatsD server
   * scales them back up. Gauges are always sent. Default: 1.
   */
  readonly sampleRate?: number | undefined;
  /** Lines are packed into datagrams of at most this many bytes. Default: 1432 (safe on any network). */
  readonly maxPacketBytes?: number | undefined;
  /** Where send errors are reported (at most one line a minute). Default: silent. */
  readonly logger?: Logger | undefined;
}

const DEFAULT_MAX_PACKET_BYTES = 1432;
const ERROR_LOG_INTERVAL_MS = 60_000;

/**
 * An OpenTelemetry push exporter writing each collection to StatsD over UDP. Use it with a
 * `PeriodicExportingMetricReader`: the export interval is the StatsD flush period.
 *
 * - monotonic sums (counters) → `|c` increments by the change since the last export (zero changes
 *   are not sent);
 * - non-monotonic sums (up-down counters) and gauges → `|g` with the current value; a gauge series
 *   that is no longer reported is set to 0 once;
 * - histograms → `<name>.count` and `<name>.sum` increments, `<name>.min` / `<name>.max` gauges:
 *   the SDK aggregates histograms into buckets, so the recorded values themselves are gone by the
 *   time of the export and cannot be replayed as StatsD timings.
 *
 * Delta data (this exporter's temporality choice) is sent as is. Cumulative data (a pull reader's
 * collection, see `startStatsdPush`) is turned into changes per series; its histogram min and max
 * cover the whole run, so they are not sent.
 */
export class StatsdMetricExporter implements PushMetricExporter {
  readonly #client: StatsD;
  readonly #tagFormat: StatsdTagFormat;
  readonly #sampleRate: number;
  readonly #logger: Logger | undefined;
  readonly #totals = new DeltaTracker();
  /** Gauge series sent by the last export, so one that is no longer reported can be set to 0. */
  #gauges = new Map<string, StatsdSeries>();
  #gaugesNow = new Map<string, StatsdSeries>();
  #lastErrorLoggedAt = -Infinity;
  #shutdown: Promise<void> | undefined;

  constructor(options: StatsdExporterOptions) {
    const sampleRate = options.sampleRate ?? 1;
    if (!(sampleRate > 0 && sampleRate <= 1)) throw new RangeError(`sampleRate must be in (0, 1], got ${sampleRate}`);
    this.#tagFormat = options.tagFormat ?? 'influxdb';
    this.#sampleRate = sampleRate;
    this.#logger = options.logger;
    this.#client = new StatsDClient({
      host: options.host,
      port: options.port,
      protocol: 'udp',
      prefix: options.prefix ?? '',
      telegraf: this.#tagFormat === 'influxdb',
      maxBufferSize: options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES,
      // Every export ends with a flush; the interval only catches lines written between exports.
      bufferFlushInterval: 1000,
      // Resolve the name at most once a minute: follows DNS changes without a lookup per datagram.
      cacheDns: true,
      cacheDnsTtl: 60_000,
      // The SDK already aggregates; the client must send what it is given.
      aggregation: false,
      errorHandler: (error) => this.#reportError(error),
    });
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.#shutdown !== undefined) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('the StatsD exporter is shut down') });
      return;
    }
    try {
      this.#gaugesNow = new Map();
      for (const scope of metrics.scopeMetrics) {
        for (const metric of scope.metrics) this.#write(metric);
      }
      this.#zeroVanishedGauges();
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      return;
    }
    // UDP gives no delivery answer: the export succeeded once its datagrams are handed to the socket.
    this.#client.flush((error?: Error) => {
      if (error) this.#reportError(error);
      resultCallback({ code: ExportResultCode.SUCCESS });
    });
  }

  forceFlush(): Promise<void> {
    if (this.#shutdown !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.#client.flush(() => resolve()));
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= new Promise((resolve) => {
      this.#client.close((error?: Error) => {
        if (error) this.#reportError(error);
        resolve();
      });
    });
    return this.#shutdown;
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return statsdTemporality(instrumentType);
  }

  #write(metric: MetricData): void {
    const name = metric.descriptor.name;
    const cumulative = metric.aggregationTemporality === AggregationTemporality.CUMULATIVE;
    const change = (seriesName: string, attributes: Attributes, value: number) =>
      cumulative ? this.#totals.delta(seriesName, attributes, value) : value;
    switch (metric.dataPointType) {
      case DataPointType.SUM:
        for (const point of metric.dataPoints) {
          if (metric.isMonotonic) this.#increment(name, point.attributes, change(name, point.attributes, point.value));
          else this.#gauge(name, point.attributes, point.value);
        }
        return;
      case DataPointType.GAUGE:
        for (const point of metric.dataPoints) this.#gauge(name, point.attributes, point.value);
        return;
      case DataPointType.HISTOGRAM:
      case DataPointType.EXPONENTIAL_HISTOGRAM:
        for (const point of metric.dataPoints) {
          const { count, sum, min, max } = point.value;
          const countChange = change(`${name}.count`, point.attributes, count);
          if (countChange === 0) continue;
          this.#increment(`${name}.count`, point.attributes, countChange);
          if (sum !== undefined) this.#increment(`${name}.sum`, point.attributes, change(`${name}.sum`, point.attributes, sum));
          if (cumulative) continue;
          if (min !== undefined) this.#gauge(`${name}.min`, point.attributes, min);
          if (max !== undefined) this.#gauge(`${name}.max`, point.attributes, max);
        }
        return;
    }
  }

  #increment(name: string, attributes: Attributes, value: number): void {
    if (value === 0 || !Number.isFinite(value)) return;
    const series = statsdSeries(name, attributes, this.#tagFormat);
    this.#client.increment(series.name, value, this.#sampleRate, series.tags ?? {});
  }

  #gauge(name: string, attributes: Attributes, value: number): void {
    if (!Number.isFinite(value)) return;
    const series = statsdSeries(name, attributes, this.#tagFormat);
    this.#gaugesNow.set(`${series.name}\u0000${JSON.stringify(series.tags ?? {})}`, series);
    // A negative value would read as a decrement (`-3|g`) to StatsD; set zero first, as its spec asks.
    if (value < 0) this.#client.gauge(series.name, 0, 1, series.tags ?? {});
    this.#client.gauge(series.name, value, 1, series.tags ?? {});
  }

  /**
   * StatsD keeps a gauge's last value until told otherwise. A series the SDK stopped reporting (its
   * callback was removed, as the transport does for `num_connections` when it closes) has no
   * current value any more: it is set to 0 once, rather than left showing a stale one.
   */
  #zeroVanishedGauges(): void {
    for (const [key, series] of this.#gauges) {
      if (!this.#gaugesNow.has(key)) this.#client.gauge(series.name, 0, 1, series.tags ?? {});
    }
    this.#gauges = this.#gaugesNow;
  }

  #reportError(error: Error): void {
    const now = Date.now();
    if (now - this.#lastErrorLoggedAt < ERROR_LOG_INTERVAL_MS) return;
    this.#lastErrorLoggedAt = now;
    this.#logger?.warn({ err: error }, 'statsd_send_error');
  }
}
