import type { Attributes } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A meter backed by the OpenTelemetry SDK, and a way to read what it recorded. */
export function testMeter() {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter('test'),
    /** The value of a counter or gauge for exactly these attributes (0 when never recorded). */
    async value(name: string, attributes: Attributes = {}): Promise<number> {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .find((candidate) => candidate.descriptor.name === name);
      const point = metric?.dataPoints.find((candidate) => sameAttributes(candidate.attributes, attributes));
      return typeof point?.value === 'number' ? point.value : 0;
    },
  };
}

function sameAttributes(left: Attributes, right: Attributes): boolean {
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => left[key] === right[key]);
}
