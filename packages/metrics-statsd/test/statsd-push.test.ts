import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatsdMetricExporter, startStatsdPush, type StatsdPush } from '../src/index.js';
import { startStatsdListener, type StatsdListener } from './statsd-listener.js';

/** A cumulative pull reader, like the server's Prometheus one. */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('startStatsdPush from a cumulative pull reader', () => {
  let listener: StatsdListener;
  let provider: MeterProvider;
  let reader: PullReader;
  let push: StatsdPush | undefined;

  beforeEach(async () => {
    listener = await startStatsdListener();
    reader = new PullReader();
    provider = new MeterProvider({ readers: [reader] });
  });

  afterEach(async () => {
    await push?.stop();
    push = undefined;
    await provider.shutdown();
    await listener.close();
  });

  const exporter = () => new StatsdMetricExporter({ host: '127.0.0.1', port: listener.port });

  it('sends counters as the change of their total between pushes, and leaves the reader cumulative', async () => {
    push = startStatsdPush({ source: reader, exporter: exporter(), intervalMs: 10 });
    const records = provider.getMeter('test').createCounter('record_total');
    records.add(3, { record_type: 'V' });
    await listener.waitFor(/^record_total,record_type=V:3\|c$/);
    records.add(2, { record_type: 'V' });
    await listener.waitFor(/^record_total,record_type=V:2\|c$/);

    expect(listener.lines.filter((line) => line.startsWith('record_total'))).toEqual(['record_total,record_type=V:3|c', 'record_total,record_type=V:2|c']);
    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.value).toBe(5);
  });

  it('sends histogram count and sum changes, without the whole-run min and max', async () => {
    push = startStatsdPush({ source: reader, exporter: exporter(), intervalMs: 3_600_000 });
    const latency = provider.getMeter('test').createHistogram('ack_latency_ms');
    latency.record(4);
    latency.record(6);
    await push.stop();
    expect((await listener.waitFor(/^ack_latency_ms/, 2)).sort()).toEqual(['ack_latency_ms.count:2|c', 'ack_latency_ms.sum:10|c']);
    expect(listener.lines.some((line) => /\.(min|max):/.test(line))).toBe(false);
  });

  it('pushes once more when stopped, so changes since the last push are not lost', async () => {
    push = startStatsdPush({ source: reader, exporter: exporter(), intervalMs: 3_600_000 });
    provider.getMeter('test').createCounter('socket_err_total').add(1);
    await push.stop();
    expect(await listener.waitFor(/^socket_err_total/)).toEqual(['socket_err_total:1|c']);
  });

  it('refuses an interval that is not a positive integer', async () => {
    const unused = exporter();
    expect(() => startStatsdPush({ source: reader, exporter: unused, intervalMs: 0 })).toThrow(/intervalMs/);
    await unused.shutdown();
  });
});
