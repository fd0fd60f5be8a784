import { metrics } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { installMeterProvider } from '../../src/metrics/provider.js';

describe('installMeterProvider', () => {
  const installed = installMeterProvider();
  afterAll(() => installed.shutdown());

  it('makes meters from the global API visible to the Prometheus reader', async () => {
    metrics.getMeter('@fleet-telemetry/sink-kafka').createCounter('kafka_err').add(3);
    const text = await installed.reader.scrape();
    expect(text).toContain('# TYPE kafka_err counter\nkafka_err 3\n');
  });

  it('reports uptime_sec as a gauge', async () => {
    expect(await installed.reader.scrape()).toMatch(/^# TYPE uptime_sec gauge\nuptime_sec \d+$/m);
  });
});
