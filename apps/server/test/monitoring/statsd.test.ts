import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PrometheusTextReader } from '../../src/metrics/reader.js';
import { startStatsdFromConfig } from '../../src/monitoring/statsd.js';
import { startStatsdListener } from './listeners.js';

describe('startStatsdFromConfig', () => {
  const logger = pino({ level: 'silent' });
  let listener: Awaited<ReturnType<typeof startStatsdListener>>;
  let reader: PrometheusTextReader;
  let provider: MeterProvider;
  const stops: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    listener = await startStatsdListener();
    reader = new PrometheusTextReader();
    provider = new MeterProvider({ readers: [reader] });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    for (const stop of stops.splice(0)) await stop();
    await provider.shutdown();
    await listener.close();
  });

  it('starts nothing without a StatsD host', () => {
    expect(startStatsdFromConfig({ monitoring: { prometheus_metrics_port: 9464 } }, reader, logger)).toBeUndefined();
  });

  it('pushes what the Prometheus reader serves, with the prefix, tag format and flush period of the config', async () => {
    const push = startStatsdFromConfig(
      { monitoring: { statsd: { host: `127.0.0.1:${listener.port}`, prefix: 'ft.', tag_format: 'datadog', flush_period: 20 } } },
      reader,
      logger,
    );
    stops.push(() => push?.stop() ?? Promise.resolve());
    provider.getMeter('test').createCounter('record_total').add(2, { record_type: 'alerts' });
    expect(await listener.waitFor((line) => line.startsWith('ft.record_total'))).toEqual(['ft.record_total:2|c|#record_type:alerts']);
    // The reader still serves totals.
    expect(await reader.scrape()).toContain('record_total{record_type="alerts"} 2');
  });

  it('turns sample_rate from a percentage into a rate, and 0 into every line', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const counter = provider.getMeter('test').createCounter('socket_err_total');
    counter.add(1);
    const sampled = startStatsdFromConfig({ monitoring: { statsd: { host: `127.0.0.1:${listener.port}`, sample_rate: 25, flush_period: 3_600_000 } } }, reader, logger);
    await sampled?.stop();
    const unsampled = startStatsdFromConfig({ monitoring: { statsd: { host: `127.0.0.1:${listener.port}`, prefix: 'all.', sample_rate: 0, flush_period: 3_600_000 } } }, reader, logger);
    await unsampled?.stop();
    expect(await listener.waitFor((line) => line.includes('socket_err_total'), 2)).toEqual(['socket_err_total:1|c|@0.25', 'all.socket_err_total:1|c']);
  });

  it('flushes every 100 ms when flush_period is 0 or absent, as the reference server', async () => {
    const lines: Record<string, unknown>[] = [];
    const capturing = pino({}, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    for (const flush_period of [0, undefined]) {
      const push = startStatsdFromConfig({ monitoring: { statsd: { host: `127.0.0.1:${listener.port}`, flush_period } } }, reader, capturing);
      await push?.stop();
    }
    expect(lines.filter((line) => line.msg === 'statsd_push_started').map((line) => line.flush_period_ms)).toEqual([100, 100]);
  });
});
