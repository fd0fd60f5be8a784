import { describe, expect, it } from 'vitest';
import { cumulativeFamilies, mergeMetricFamilies, mergePrometheusText, parsePrometheusText } from '../src/index.js';

const workerA = `# HELP record_total The number of records processed.
# TYPE record_total counter
record_total{record_type="V"} 10
record_total{record_type="alerts"} 2
# TYPE num_connections gauge
num_connections 3
# HELP uptime_sec The number of seconds the application has been running.
# TYPE uptime_sec gauge
uptime_sec 40
# TYPE ack_latency histogram
ack_latency_bucket{record_type="V",le="5"} 4
ack_latency_bucket{record_type="V",le="10"} 9
ack_latency_bucket{record_type="V",le="+Inf"} 10
ack_latency_sum{record_type="V"} 51.5
ack_latency_count{record_type="V"} 10
`;

const workerB = `# HELP record_total The number of records processed.
# TYPE record_total counter
record_total{record_type="V"} 5
record_total{record_type="errors"} 1
# TYPE num_connections gauge
num_connections 4
# TYPE uptime_sec gauge
uptime_sec 12
# TYPE ack_latency histogram
ack_latency_bucket{record_type="V",le="5"} 1
ack_latency_bucket{record_type="V",le="10"} 1
ack_latency_bucket{record_type="V",le="+Inf"} 3
ack_latency_sum{record_type="V"} 60
ack_latency_count{record_type="V"} 3
`;

/** `name{labels} value` lines of a text exposition, without comments. */
function sampleLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('mergePrometheusText', () => {
  const merged = mergePrometheusText([workerA, workerB], { gauges: { uptime_sec: 'max' } });

  it('sums counters per label set, keeping series only one process has', () => {
    expect(sampleLines(merged)).toEqual(
      expect.arrayContaining(['record_total{record_type="V"} 15', 'record_total{record_type="alerts"} 2', 'record_total{record_type="errors"} 1']),
    );
  });

  it('sums gauges by default and takes the maximum where the rule says so', () => {
    expect(sampleLines(merged)).toEqual(expect.arrayContaining(['num_connections 7', 'uptime_sec 40']));
    expect(sampleLines(merged)).not.toContain('uptime_sec 52');
  });

  it('sums histogram buckets, sums and counts, so the merged buckets stay cumulative', () => {
    expect(sampleLines(merged).filter((line) => line.startsWith('ack_latency'))).toEqual([
      'ack_latency_bucket{record_type="V",le="5"} 5',
      'ack_latency_bucket{record_type="V",le="10"} 10',
      'ack_latency_bucket{record_type="V",le="+Inf"} 13',
      'ack_latency_sum{record_type="V"} 111.5',
      'ack_latency_count{record_type="V"} 13',
    ]);
  });

  it('writes each family once, with its help and type, in the order families first appear', () => {
    expect(merged.split('\n').filter((line) => line.startsWith('#'))).toEqual([
      '# HELP record_total The number of records processed.',
      '# TYPE record_total counter',
      '# TYPE num_connections gauge',
      '# HELP uptime_sec The number of seconds the application has been running.',
      '# TYPE uptime_sec gauge',
      '# TYPE ack_latency histogram',
    ]);
  });

  it('matches series whose labels are written in another order', () => {
    const text = mergePrometheusText([
      '# TYPE reliable_ack counter\nreliable_ack{record_type="V",dispatcher="kafka"} 2\n',
      '# TYPE reliable_ack counter\nreliable_ack{dispatcher="kafka",record_type="V"} 3\n',
    ]);
    expect(sampleLines(text)).toEqual(['reliable_ack{record_type="V",dispatcher="kafka"} 5']);
  });

  it('takes the minimum where the rule says so', () => {
    const text = mergePrometheusText(['# TYPE free_slots gauge\nfree_slots 4\n', '# TYPE free_slots gauge\nfree_slots 2\n'], {
      gauges: { free_slots: 'min' },
    });
    expect(sampleLines(text)).toEqual(['free_slots 2']);
  });

  it('leaves out a family whose type differs from the first one seen under its name', () => {
    const text = mergePrometheusText(['# TYPE jobs counter\njobs 4\n', '# TYPE jobs gauge\njobs 100\n']);
    expect(sampleLines(text)).toEqual(['jobs 4']);
  });

  it('sums the _sum and _count of summaries and leaves out their quantiles', () => {
    const summary = '# TYPE rpc summary\nrpc{quantile="0.5"} 3\nrpc_sum 9\nrpc_count 3\n';
    expect(sampleLines(mergePrometheusText([summary, summary]))).toEqual(['rpc_sum 18', 'rpc_count 6']);
  });

  it('keeps escaped label values and help text intact through parse and render', () => {
    const text = '# HELP odd_total a \\\\ back\\nslash\n# TYPE odd_total counter\nodd_total{path="C:\\\\x",quote="say \\"hi\\"",nl="a\\nb"} 1\n';
    expect(mergePrometheusText([text, text])).toBe(text.replace(/ 1\n$/, ' 2\n'));
  });

  it('is the identity for one exposition of the server format', () => {
    expect(mergePrometheusText([workerA])).toBe(workerA);
  });
});

describe('parsePrometheusText', () => {
  it('reads special values, drops timestamps and ignores other comments', () => {
    const families = parsePrometheusText('# a comment\n# TYPE t gauge\nt{a="1",} +Inf 1700000000000\nt{a="2"} -Inf\nt{a="3"} NaN\nt{a="4"} 1.5e3\n');
    expect(families).toHaveLength(1);
    expect(families[0]?.samples.map((sample) => sample.value)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1500]);
  });

  it('makes untyped families of samples without a TYPE line', () => {
    expect(parsePrometheusText('loose 3\n')).toEqual([{ name: 'loose', help: '', type: 'untyped', samples: [{ name: 'loose', labels: [], value: 3 }] }]);
  });

  it('rejects text that is not an exposition, naming the line', () => {
    expect(() => parsePrometheusText('# TYPE x counter\nx{a="1"} many\n')).toThrow(/^line 2: "many" is not a sample value/);
    expect(() => parsePrometheusText('x{a="1} 1\n')).toThrow(/^line 1: unterminated value of label a/);
    expect(() => parsePrometheusText('# TYPE x meter\n')).toThrow(/^line 1: unknown metric type "meter"/);
    expect(() => parsePrometheusText('x 1\n# TYPE x counter\n')).toThrow(/^line 2: # TYPE for x after its samples/);
  });
});

describe('cumulativeFamilies', () => {
  it('keeps counters and histograms and leaves gauges out', () => {
    const names = cumulativeFamilies(parsePrometheusText(workerA)).map((family) => family.name);
    expect(names).toEqual(['record_total', 'ack_latency']);
  });

  it('merged with a live process, keeps a gone process counting', () => {
    const gone = cumulativeFamilies(parsePrometheusText(workerA));
    const merged = mergeMetricFamilies([parsePrometheusText(workerB), gone]);
    const connections = merged.find((family) => family.name === 'num_connections');
    const records = merged.find((family) => family.name === 'record_total');
    expect(connections?.samples.map((sample) => sample.value)).toEqual([4]);
    expect(records?.samples.find((sample) => sample.labels[0]?.[1] === 'V')?.value).toBe(15);
  });
});
