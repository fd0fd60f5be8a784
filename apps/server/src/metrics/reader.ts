import { diag } from '@opentelemetry/api';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import { serializePrometheusText } from './prometheus-text.js';

/**
 * Per-instrument series limit. The reference labels some counters by VIN (rate limiting, tracked
 * VINs), so a fleet-sized limit replaces the SDK's default of 2000.
 */
const SERIES_LIMIT_PER_INSTRUMENT = 100_000;

/** A pull reader: every scrape collects the current values and renders them as Prometheus text. */
export class PrometheusTextReader extends MetricReader {
  constructor() {
    super({ cardinalitySelector: () => SERIES_LIMIT_PER_INSTRUMENT });
  }

  async scrape(): Promise<string> {
    const { resourceMetrics, errors } = await this.collect();
    for (const error of errors) diag.error('metrics collection error', error);
    return serializePrometheusText(resourceMetrics);
  }

  protected override async onForceFlush(): Promise<void> {
    // Pull-based: nothing is buffered between scrapes.
  }

  protected override async onShutdown(): Promise<void> {
    // Nothing to release: the HTTP endpoint is closed by its owner.
  }
}
