import { MeterProvider, MetricReader, type PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStatsdMetricReader, type StatsdReaderOptions } from '../src/index.js';
import { startStatsdListener, type StatsdListener } from './statsd-listener.js';

/** A pull reader beside the StatsD one, as the server's Prometheus reader. */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('StatsD export through a MeterProvider', () => {
  let listener: StatsdListener;
  let provider: MeterProvider | undefined;

  beforeEach(async () => {
    listener = await startStatsdListener();
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await provider?.shutdown();
    provider = undefined;
    await listener.close();
  });

  /** A provider whose StatsD reader only exports when the test flushes it (a period far away). */
  function meterWith(options: Partial<StatsdReaderOptions> = {}): { reader: PeriodicExportingMetricReader; pull: PullReader; meter: ReturnType<MeterProvider['getMeter']> } {
    const reader = createStatsdMetricReader({ host: '127.0.0.1', port: listener.port, flushPeriodMs: 3_600_000, ...options });
    const pull = new PullReader();
    provider = new MeterProvider({ readers: [reader, pull] });
    return { reader, pull, meter: provider.getMeter('test') };
  }

  it('sends counters as increments of the change since the last export, with InfluxDB tags by default', async () => {
    const { reader, meter } = meterWith();
    const records = meter.createCounter('record_total');
    records.add(3, { record_type: 'V' });
    records.add(1, { record_type: 'alerts' });
    await reader.forceFlush();
    expect(await listener.waitFor(/^record_total,/, 2)).toEqual(
      expect.arrayContaining(['record_total,record_type=V:3|c', 'record_total,record_type=alerts:1|c']),
    );

    records.add(2, { record_type: 'V' });
    await reader.forceFlush();
    const lines = await listener.waitFor(/^record_total,record_type=V:/, 2);
    expect(lines).toEqual(['record_total,record_type=V:3|c', 'record_total,record_type=V:2|c']);
    // Nothing new for alerts: no zero increment is sent.
    expect(listener.lines.filter((line) => line.startsWith('record_total,record_type=alerts'))).toHaveLength(1);
  });

  it('leaves the other reader of the same provider cumulative', async () => {
    const { reader, pull, meter } = meterWith();
    const dispatched = meter.createCounter('dispatch_total');
    dispatched.add(3);
    await reader.forceFlush();
    dispatched.add(2);
    await reader.forceFlush();
    await listener.waitFor(/^dispatch_total:/, 2);

    const { resourceMetrics } = await pull.collect();
    const point = resourceMetrics.scopeMetrics[0]?.metrics.find((metric) => metric.descriptor.name === 'dispatch_total')?.dataPoints[0];
    expect(point?.value).toBe(5);
  });

  it('sends up-down counters and gauges as their current value', async () => {
    const { reader, meter } = meterWith();
    const signals = meter.createUpDownCounter('signal_count');
    signals.add(7, { record_type: 'V' });
    meter.createObservableGauge('num_connections').addCallback((result) => result.observe(4));
    await reader.forceFlush();
    await listener.waitFor(/^num_connections:4\|g$/);
    signals.add(5, { record_type: 'V' });
    await reader.forceFlush();
    expect(await listener.waitFor(/^signal_count,record_type=V:\d+\|g$/, 2)).toEqual([
      'signal_count,record_type=V:7|g',
      'signal_count,record_type=V:12|g',
    ]);
  });

  it('sets a gauge that is no longer reported to 0, once', async () => {
    const { reader, meter } = meterWith();
    const gauge = meter.createObservableGauge('num_connections');
    // The SDK skips an export with nothing in it; the counter keeps each one non-empty.
    const records = meter.createCounter('record_total');
    const observe = (result: { observe(value: number, attributes?: Record<string, string>): void }) => result.observe(4, { worker: '1' });
    gauge.addCallback(observe);
    records.add(1);
    await reader.forceFlush();
    await listener.waitFor(/^num_connections,worker=1:4\|g$/);
    gauge.removeCallback(observe);
    records.add(1);
    await reader.forceFlush();
    await listener.waitFor(/^num_connections,worker=1:0\|g$/);
    records.add(1);
    await reader.forceFlush();
    await listener.waitFor(/^record_total:1\|c$/, 3);
    expect(listener.lines.filter((line) => line.startsWith('num_connections'))).toEqual(['num_connections,worker=1:4|g', 'num_connections,worker=1:0|g']);
  });

  it('sends a negative gauge as zero then the value, so StatsD does not read it as a decrement', async () => {
    const { reader, meter } = meterWith();
    meter.createUpDownCounter('balance').add(-2);
    await reader.forceFlush();
    expect(await listener.waitFor(/^balance:/, 2)).toEqual(['balance:0|g', 'balance:-2|g']);
  });

  it('sends histograms as count and sum increments with min and max gauges', async () => {
    const { reader, meter } = meterWith();
    const latency = meter.createHistogram('ack_latency_ms');
    for (const value of [5, 20, 11]) latency.record(value, { record_type: 'V' });
    await reader.forceFlush();
    const lines = await listener.waitFor(/^ack_latency_ms\./, 4);
    expect(lines.sort()).toEqual([
      'ack_latency_ms.count,record_type=V:3|c',
      'ack_latency_ms.max,record_type=V:20|g',
      'ack_latency_ms.min,record_type=V:5|g',
      'ack_latency_ms.sum,record_type=V:36|c',
    ]);
  });

  it('puts DogStatsD tags after the value with tagFormat datadog', async () => {
    const { reader, meter } = meterWith({ tagFormat: 'datadog' });
    meter.createCounter('rate_limit_exceeded_total').add(1, { device_id: 'vehicle_device.5YJ3E', txtype: 'V' });
    await reader.forceFlush();
    expect(await listener.waitFor(/^rate_limit_exceeded_total/)).toEqual(['rate_limit_exceeded_total:1|c|#device_id:vehicle_device.5YJ3E,txtype:V']);
  });

  it('folds labels into the name with tagFormat none', async () => {
    const { reader, meter } = meterWith({ tagFormat: 'none' });
    meter.createCounter('rate_limit_exceeded_total').add(1, { device_id: 'vehicle_device.5YJ3E', txtype: 'V' });
    await reader.forceFlush();
    expect(await listener.waitFor(/^rate_limit_exceeded_total/)).toEqual(['rate_limit_exceeded_total.device_id.vehicle_device_5YJ3E.txtype.V:1|c']);
  });

  it('prepends the prefix as written', async () => {
    const { reader, meter } = meterWith({ prefix: 'fleet.' });
    meter.createCounter('socket_err_total').add(2);
    await reader.forceFlush();
    expect(await listener.waitFor(/socket_err_total/)).toEqual(['fleet.socket_err_total:2|c']);
  });

  it('marks sampled counter lines with the sample rate, and always sends gauges', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { reader, meter } = meterWith({ sampleRate: 0.25 });
    meter.createCounter('record_total').add(4);
    meter.createObservableGauge('uptime_sec').addCallback((result) => result.observe(9));
    await reader.forceFlush();
    expect(await listener.waitFor(/^record_total/)).toEqual(['record_total:4|c|@0.25']);
    expect(await listener.waitFor(/^uptime_sec/)).toEqual(['uptime_sec:9|g']);
  });

  it('exports on its own every flush period', async () => {
    const reader = createStatsdMetricReader({ host: '127.0.0.1', port: listener.port, flushPeriodMs: 20 });
    provider = new MeterProvider({ readers: [reader] });
    const counter = provider.getMeter('test').createCounter('record_total');
    counter.add(1);
    await listener.waitFor(/^record_total:1\|c$/);
    counter.add(1);
    await listener.waitFor(/^record_total:1\|c$/, 2);
  });

  it('packs many lines into datagrams no larger than the packet size', async () => {
    const { reader, meter } = meterWith({ maxPacketBytes: 200 });
    const counter = meter.createCounter('vin_signal_total');
    for (let index = 0; index < 50; index += 1) counter.add(1, { vin: `VIN${String(index).padStart(14, '0')}` });
    await reader.forceFlush();
    expect(await listener.waitFor(/^vin_signal_total,vin=VIN\d{14}:1\|c$/, 50)).toHaveLength(50);
    expect(listener.datagramSizes.length).toBeGreaterThan(1);
    expect(Math.max(...listener.datagramSizes)).toBeLessThanOrEqual(200);
  });

  it('refuses a sample rate outside (0, 1] and a flush period that is not a positive integer', () => {
    expect(() => createStatsdMetricReader({ host: '127.0.0.1', port: listener.port, flushPeriodMs: 100, sampleRate: 0 })).toThrow(/sampleRate/);
    expect(() => createStatsdMetricReader({ host: '127.0.0.1', port: listener.port, flushPeriodMs: 0 })).toThrow(/flushPeriodMs/);
  });
});
