import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** A reader collected on demand, so tests can read counters without export intervals. */
class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }

  protected override async onForceFlush(): Promise<void> {}

  protected override async onShutdown(): Promise<void> {}
}

export interface TestMetrics {
  readonly meterProvider: MeterProvider;
  /** Sum of every data point of `name` whose attributes include `attributes`. */
  value(name: string, attributes?: Record<string, string>): Promise<number>;
  /** Every data point of `name`: its attributes and value. */
  points(name: string): Promise<Array<{ attributes: Record<string, unknown>; value: number }>>;
}

export function testMetrics(): TestMetrics {
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const points = async (name: string): Promise<Array<{ attributes: Record<string, unknown>; value: number }>> => {
    const { resourceMetrics }: { resourceMetrics: ResourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name === name)
      .flatMap((metric) =>
        metric.dataPoints.map((point) => ({
          attributes: point.attributes as Record<string, unknown>,
          value: typeof point.value === 'number' ? point.value : Number.NaN,
        })),
      );
  };
  return {
    meterProvider,
    points,
    async value(name, attributes = {}) {
      return (await points(name))
        .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
        .reduce((sum, point) => sum + point.value, 0);
    },
  };
}
