import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { summedCounter } from '../src/index.js';

function setUp() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return { meter: provider.getMeter('test'), reader };
}

async function points(reader: PeriodicExportingMetricReader, name: string) {
  const { resourceMetrics } = await reader.collect();
  const metric = (resourceMetrics as ResourceMetrics).scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  if (metric === undefined) return undefined;
  return {
    type: metric.dataPointType,
    monotonic: metric.dataPointType === DataPointType.SUM ? metric.isMonotonic : undefined,
    values: metric.dataPoints.map((point) => [point.attributes, point.value]),
  };
}

describe('summedCounter', () => {
  it('reports totals per attribute set as a monotonic sum', async () => {
    const { meter, reader } = setUp();
    const counter = summedCounter(meter, 'record_total', { description: 'records' });
    counter.add(1, { record_type: 'V' });
    counter.add(2, { record_type: 'V' });
    counter.add(5, { record_type: 'alerts' });
    counter.add(4);
    expect(await points(reader, 'record_total')).toEqual({
      type: DataPointType.SUM,
      monotonic: true,
      values: [
        [{ record_type: 'V' }, 3],
        [{ record_type: 'alerts' }, 5],
        [{}, 4],
      ],
    });
  });

  it('treats the same attributes in another order as one set', async () => {
    const { meter, reader } = setUp();
    const counter = summedCounter(meter, 'acks');
    counter.add(1, { record_type: 'V', dispatcher: 'kafka' });
    counter.add(1, { dispatcher: 'kafka', record_type: 'V' });
    expect((await points(reader, 'acks'))?.values).toEqual([[{ record_type: 'V', dispatcher: 'kafka' }, 2]]);
  });

  it('shares one total between two sources of the same name on one meter', async () => {
    const { meter, reader } = setUp();
    summedCounter(meter, 'dispatch_total').add(1, { record_type: 'V' });
    summedCounter(meter, 'dispatch_total').add(2, { record_type: 'V' });
    expect((await points(reader, 'dispatch_total'))?.values).toEqual([[{ record_type: 'V' }, 3]]);
  });

  it('reports an upDown counter as a non-monotonic sum that can go down', async () => {
    const { meter, reader } = setUp();
    const gauge = summedCounter(meter, 'signal_count', { upDown: true });
    gauge.add(5, { record_type: 'V' });
    gauge.add(-2, { record_type: 'V' });
    expect(await points(reader, 'signal_count')).toEqual({ type: DataPointType.SUM, monotonic: false, values: [[{ record_type: 'V' }, 3]] });
  });

  it('keeps its attributes apart from later changes of the caller’s object', async () => {
    const { meter, reader } = setUp();
    const attributes = { record_type: 'V' };
    summedCounter(meter, 'x').add(1, attributes);
    attributes.record_type = 'alerts';
    expect((await points(reader, 'x'))?.values).toEqual([[{ record_type: 'V' }, 1]]);
  });

  it('adds a frozen attributes object and an equal plain one into one total', async () => {
    const { meter, reader } = setUp();
    const counter = summedCounter(meter, 'frozen');
    const frozenV = Object.freeze({ record_type: 'V' });
    counter.add(1, frozenV);
    counter.add(2, { record_type: 'V' });
    counter.add(4, frozenV);
    counter.add(8, Object.freeze({ record_type: 'alerts' }));
    counter.add(16, Object.freeze({}));
    counter.add(32);
    expect((await points(reader, 'frozen'))?.values).toEqual([
      [{ record_type: 'V' }, 7],
      [{ record_type: 'alerts' }, 8],
      [{}, 48],
    ]);
  });

  it('adds through a bound total into the same series as add, current at every collection', async () => {
    const { meter, reader } = setUp();
    const counter = summedCounter(meter, 'bound');
    const v = counter.bind({ record_type: 'V' });
    v.add(1);
    counter.add(2, { record_type: 'V' });
    expect((await points(reader, 'bound'))?.values).toEqual([[{ record_type: 'V' }, 3]]);
    v.add(4);
    counter.bind({ record_type: 'V' }).add(8);
    expect((await points(reader, 'bound'))?.values).toEqual([[{ record_type: 'V' }, 15]]);
  });

  it('reports a bound total only once something was added to it', async () => {
    const { meter, reader } = setUp();
    const counter = summedCounter(meter, 'lazy', { upDown: true });
    const alerts = counter.bind({ record_type: 'alerts' });
    counter.bind({ record_type: 'V' }).add(0);
    expect((await points(reader, 'lazy'))?.values).toEqual([[{ record_type: 'V' }, 0]]);
    alerts.add(-1);
    // The SDK lists series in the order it first saw them.
    expect((await points(reader, 'lazy'))?.values).toEqual([
      [{ record_type: 'V' }, 0],
      [{ record_type: 'alerts' }, -1],
    ]);
  });
});
