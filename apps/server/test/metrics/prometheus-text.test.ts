import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { PrometheusTextReader } from '../../src/metrics/reader.js';

function setup() {
  const reader = new PrometheusTextReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { reader, meter: provider.getMeter('test') };
}

describe('PrometheusTextReader', () => {
  it('keeps counter names verbatim: no _total or unit suffix is added', async () => {
    const { reader, meter } = setup();
    meter.createCounter('kafka_err', { description: 'Kafka errors.', unit: 'By' }).add(2);
    meter.createCounter('record_total').add(1, { record_type: 'V' });
    meter.createCounter('reliable_ack').add(1, { record_type: 'V', dispatcher: 'kafka' });
    expect(await reader.scrape()).toBe(
      [
        '# HELP kafka_err Kafka errors.',
        '# TYPE kafka_err counter',
        'kafka_err 2',
        '# TYPE record_total counter',
        'record_total{record_type="V"} 1',
        '# TYPE reliable_ack counter',
        'reliable_ack{record_type="V",dispatcher="kafka"} 1',
        '',
      ].join('\n'),
    );
  });

  it('renders gauges, up-down counters and observable gauges as gauges', async () => {
    const { reader, meter } = setup();
    meter.createGauge('kafka_produce_queue_size').record(7);
    meter.createUpDownCounter('in_flight').add(-3);
    meter.createObservableGauge('uptime_sec').addCallback((result) => result.observe(12));
    const text = await reader.scrape();
    expect(text).toContain('# TYPE kafka_produce_queue_size gauge\nkafka_produce_queue_size 7\n');
    expect(text).toContain('# TYPE in_flight gauge\nin_flight -3\n');
    expect(text).toContain('# TYPE uptime_sec gauge\nuptime_sec 12\n');
  });

  it('escapes label values and help text, and sanitises names', async () => {
    const { reader, meter } = setup();
    meter
      .createCounter('odd.name-here', { description: 'line one\nback\\slash' })
      .add(1, { 'device.id': 'a"b\\c\nd', flag: true });
    expect(await reader.scrape()).toBe(
      [
        '# HELP odd_name_here line one\\nback\\\\slash',
        '# TYPE odd_name_here counter',
        'odd_name_here{device_id="a\\"b\\\\c\\nd",flag="true"} 1',
        '',
      ].join('\n'),
    );
  });

  it('renders histograms with cumulative buckets, sum and count', async () => {
    const { reader, meter } = setup();
    const histogram = meter.createHistogram('write_seconds', { advice: { explicitBucketBoundaries: [0.1, 1] } });
    histogram.record(0.05);
    histogram.record(0.5);
    histogram.record(5);
    expect(await reader.scrape()).toBe(
      [
        '# TYPE write_seconds histogram',
        'write_seconds_bucket{le="0.1"} 1',
        'write_seconds_bucket{le="1"} 2',
        'write_seconds_bucket{le="+Inf"} 3',
        'write_seconds_sum 5.55',
        'write_seconds_count 3',
        '',
      ].join('\n'),
    );
  });

  it('merges one name registered by two meters into one family', async () => {
    const reader = new PrometheusTextReader();
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter('a').createCounter('socket_err_total').add(1, { source: 'a' });
    provider.getMeter('b').createCounter('socket_err_total').add(2, { source: 'b' });
    const text = await reader.scrape();
    expect(text.match(/# TYPE socket_err_total counter/g)).toHaveLength(1);
    expect(text).toContain('socket_err_total{source="a"} 1\nsocket_err_total{source="b"} 2\n');
  });

  it('serves an empty body before anything was recorded', async () => {
    expect(await setup().reader.scrape()).toBe('');
  });
});
