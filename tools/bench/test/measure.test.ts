import { describe, expect, it } from 'vitest';
import { measureRounds, ratioByRound, type RoundsMeasurement } from '../src/measure.js';
import { summarize } from '../src/stats.js';

function measured(wallByRound: number[]): RoundsMeasurement {
  return { wall: summarize(wallByRound), cpu: summarize(wallByRound), checksum: 0, wallByRound };
}

describe('ratioByRound', () => {
  it('divides round by round, not median by median', () => {
    // The machine halves its speed in rounds 2 and 3: each round's ratio is 2, while the ratio of
    // the medians would be 200 / 50 = 4.
    const subject = measured([400, 200, 200]);
    const baseline = measured([200, 100, 50]);
    expect(ratioByRound(subject, baseline)).toBe(2);
  });

  it('takes the median of the rounds’ ratios', () => {
    expect(ratioByRound(measured([10, 30, 90, 40]), measured([10, 10, 10, 10]))).toBe(3.5);
  });
});

describe('measureRounds', () => {
  it('runs every operation in every round, in the given order', () => {
    const calls: string[] = [];
    const rounds: string[][] = [];
    const results = measureRounds(
      new Map([
        ['first', () => (calls.push('first'), 1)],
        ['second', () => (calls.push('second'), 2)],
      ]),
      { rounds: 3, runMs: 5, warmupMs: 5, onRound: (_, rates) => rounds.push([...rates.keys()]) },
    );
    expect(rounds).toEqual([
      ['first', 'second'],
      ['first', 'second'],
      ['first', 'second'],
    ]);
    expect(results.get('first')!.wallByRound).toHaveLength(3);
    expect(results.get('second')!.wallByRound.every((rate) => rate > 0)).toBe(true);
    // What the operations returned is summed, so their work cannot be optimised away.
    expect(results.get('first')!.checksum).toBe(calls.filter((call) => call === 'first').length);
    expect(results.get('second')!.checksum).toBe(2 * calls.filter((call) => call === 'second').length);
  });
});
