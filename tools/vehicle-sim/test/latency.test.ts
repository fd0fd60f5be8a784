import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../src/latency.js';

describe('LatencyHistogram', () => {
  it('reports zeros when empty', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.summary()).toEqual({ count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
    expect(histogram.percentile(99)).toBe(0);
  });

  it('gives percentiles within 0.1% of the exact value', () => {
    const histogram = new LatencyHistogram();
    // 1.000 ms, 1.001 ms, ... 100.999 ms: 100,000 evenly spaced latencies.
    for (let micros = 1_000; micros < 101_000; micros++) histogram.record(micros / 1000);
    const summary = histogram.summary();
    expect(summary.count).toBe(100_000);
    expect(summary.p50).toBeCloseTo(51, 1);
    expect(Math.abs(summary.p90 - 91) / 91).toBeLessThan(0.001);
    expect(Math.abs(summary.p99 - 100) / 100).toBeLessThan(0.001);
    expect(Math.abs(summary.max - 100.999) / 100.999).toBeLessThan(0.001);
    expect(summary.min).toBeCloseTo(1, 2);
    expect(summary.mean).toBeCloseTo(51, 0);
  });

  it('keeps the tail of a skewed distribution', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 990; i++) histogram.record(2);
    for (let i = 0; i < 10; i++) histogram.record(800);
    expect(histogram.percentile(50)).toBeCloseTo(2, 2);
    expect(histogram.percentile(99)).toBeCloseTo(2, 2);
    expect(histogram.percentile(99.5)).toBeGreaterThan(790);
    expect(histogram.summary().max).toBeGreaterThan(790);
  });

  it('clamps sub-microsecond and absurdly long latencies instead of failing', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0);
    histogram.record(1e9);
    expect(histogram.count).toBe(2);
    expect(histogram.summary().min).toBeCloseTo(0.001, 6);
    expect(histogram.summary().max).toBeGreaterThanOrEqual(600_000);
  });
});
