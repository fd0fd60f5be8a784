import { describe, expect, it } from 'vitest';
import { sumSamples } from '../src/metrics-scrape.js';

describe('sumSamples', () => {
  it('sums each metric over its label sets and skips comments', () => {
    const text = [
      '# HELP kinesis_publish_total Records written',
      '# TYPE kinesis_publish_total counter',
      'kinesis_publish_total{record_type="V"} 12',
      'kinesis_publish_total{record_type="connectivity",note="a} b"} 3',
      'kinesis_put_records_calls_total 2',
      'uptime_sec 7',
      '',
    ].join('\n');
    expect(sumSamples(text)).toEqual({ kinesis_publish_total: 15, kinesis_put_records_calls_total: 2, uptime_sec: 7 });
  });

  it('ignores values that are not finite numbers', () => {
    expect(sumSamples('a 1\na NaN\nb +Inf\n')).toEqual({ a: 1 });
  });
});
