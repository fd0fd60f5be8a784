import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricNamesInPromQL, metricNamesInSources, seriesNames } from '../src/index.js';

describe('metricNamesInPromQL', () => {
  it.each([
    ['sum(num_connections)', ['num_connections']],
    ['sum by (record_type) (rate(record_total{job="fleet-telemetry"}[$__rate_interval]))', ['record_total']],
    ['sum without (instance) (rate(kafka_produce_total[5m])) - sum(rate(kafka_produce_ack_total[5m] offset 1m))', ['kafka_produce_total', 'kafka_produce_ack_total']],
    ['histogram_quantile(0.99, sum by (le) (rate(ack_latency_seconds_bucket[${__rate_interval}])))', ['ack_latency_seconds_bucket']],
    ['max(kafka_produce_queue_size{type="total"}) > 1e3 and on (instance) up == 1', ['kafka_produce_queue_size', 'up']],
    ['sum(rate(reliable_ack[1m])) / sum(rate(dispatch_total[1m])) * 100', ['reliable_ack', 'dispatch_total']],
  ])('%s reads %j', (expression, names) => {
    expect(metricNamesInPromQL(expression).sort()).toEqual([...names].sort());
  });
});

describe('metricNamesInSources', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ft-metric-names-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('finds literal instrument names by kind, skipping tests and node_modules', () => {
    mkdirSync(join(directory, 'src', 'deep'), { recursive: true });
    mkdirSync(join(directory, 'test'));
    mkdirSync(join(directory, 'node_modules'));
    writeFileSync(
      join(directory, 'src', 'metrics.ts'),
      `meter.createCounter('record_total', {});\nmeter.createObservableGauge(\n  "num_connections",\n);\nmeter.createUpDownCounter(\`signal_count\`);`,
    );
    writeFileSync(join(directory, 'src', 'deep', 'latency.ts'), `meter.createHistogram('ack_latency_seconds', { unit: 's' });`);
    writeFileSync(
      join(directory, 'src', 'summed.ts'),
      `summedCounter(meter, 'dispatch_total', { description: 'd' });\nsummedCounter(this.meter, "vin_signal_count", {\n  description: 'v',\n  upDown: true,\n});`,
    );
    writeFileSync(join(directory, 'test', 'fake.ts'), `meter.createCounter('only_in_tests');`);
    writeFileSync(join(directory, 'node_modules', 'lib.ts'), `meter.createCounter('from_a_library');`);

    const names = metricNamesInSources([join(directory, 'src'), join(directory, 'test', '..', 'node_modules', '..')]);
    expect(Object.fromEntries(names)).toEqual({
      record_total: 'counter',
      num_connections: 'gauge',
      signal_count: 'up-down-counter',
      dispatch_total: 'counter',
      vin_signal_count: 'up-down-counter',
      ack_latency_seconds: 'histogram',
    });
    expect([...seriesNames(names)].sort()).toEqual(
      [
        'ack_latency_seconds',
        'ack_latency_seconds_bucket',
        'ack_latency_seconds_count',
        'ack_latency_seconds_sum',
        'dispatch_total',
        'num_connections',
        'record_total',
        'signal_count',
        'vin_signal_count',
      ].sort(),
    );
  });
});
