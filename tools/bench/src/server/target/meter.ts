import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/**
 * A pull reader, as the server's Prometheus endpoint has: instruments record into the SDK's
 * aggregations all the time, and values are only read when someone scrapes.
 */
export class ScrapeReader extends MetricReader {
  constructor() {
    // The server allows fleet-sized label sets; so does the benchmark, to pay the same costs.
    super({ cardinalitySelector: () => 100_000 });
  }

  async scrape(): Promise<ResourceMetrics> {
    return (await this.collect()).resourceMetrics;
  }

  protected override async onForceFlush(): Promise<void> {}

  protected override async onShutdown(): Promise<void> {}
}

/**
 * Installs the OpenTelemetry SDK as the global meter provider, as the server does before it loads
 * any library (libraries get no-op meters until a provider is installed).
 */
export function installMeterProvider(): ScrapeReader {
  const reader = new ScrapeReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return reader;
}

/** The sum of every data point of the metric called `name`, or undefined when it has none. */
export function metricValue(resourceMetrics: ResourceMetrics, name: string): number | undefined {
  let total: number | undefined;
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        if (typeof point.value === 'number') total = (total ?? 0) + point.value;
      }
    }
  }
  return total;
}
