import { describe, expect, it } from 'vitest';
import { formatRate, formatRatio, formatTable, median, ratePerSecond, summarize } from '../src/stats.js';

describe('median', () => {
  it('takes the middle of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([9, 2, 7, 4, 100])).toBe(7);
  });

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses no values', () => {
    expect(() => median([])).toThrow();
  });
});

describe('summarize', () => {
  it('reports median, extremes and their spread relative to the median', () => {
    expect(summarize([90, 100, 110])).toEqual({ median: 100, min: 90, max: 110, spread: 0.2 });
  });
});

describe('ratePerSecond', () => {
  it('turns operations over nanoseconds into operations per second', () => {
    expect(ratePerSecond(500, 2_000_000)).toBe(250_000);
  });

  it('refuses a run that took no time', () => {
    expect(() => ratePerSecond(1, 0)).toThrow();
  });
});

describe('formatting', () => {
  it('rounds rates and groups thousands', () => {
    expect(formatRate(1_234_567.8)).toBe('1,234,568');
    expect(formatRatio(6.44)).toBe('6.4x');
  });

  it('pads table columns, numeric ones (and their titles) to the right', () => {
    expect(formatTable(['name', 'rate'], [['a', '1,000'], ['longer', '5']])).toBe(
      ['name     rate', '------  -----', 'a       1,000', 'longer      5'].join('\n'),
    );
  });
});
