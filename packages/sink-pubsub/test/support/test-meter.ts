import type { Attributes } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** An SDK-backed meter for one test, and the current value of any of its instruments. */
export function testMeter() {
  const reader = new OnDemandReader();
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter('test'),
    /** A counter's or gauge's value for exactly these attributes; 0 when never recorded. */
    async value(name: string, attributes: Attributes = {}): Promise<number> {
      const { resourceMetrics } = await reader.collect();
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          if (metric.descriptor.name !== name) continue;
          const point = metric.dataPoints.find((candidate) => equalAttributes(candidate.attributes, attributes));
          return typeof point?.value === 'number' ? point.value : 0;
        }
      }
      return 0;
    },
  };
}

function equalAttributes(left: Attributes, right: Attributes): boolean {
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => left[key] === right[key]);
}
