import { describe, expect, it } from 'vitest';
import { defaultMix, MixSequencer, parseMix } from '../src/mix.js';

describe('parseMix', () => {
  it('parses topics and weights', () => {
    expect(parseMix('V=8,alerts=1,errors=1')).toEqual(defaultMix);
    expect(parseMix(' V = 3 , errors=2 ')).toEqual([
      { topic: 'V', weight: 3 },
      { topic: 'errors', weight: 2 },
    ]);
  });

  it('drops zero weights', () => {
    expect(parseMix('V=1,alerts=0')).toEqual([{ topic: 'V', weight: 1 }]);
  });

  it.each([
    ['V', /expected <topic>=<weight>/],
    ['V=1,connectivity=1', /unknown topic "connectivity"/],
    ['V=1,V=2', /repeated/],
    ['V=0', /no positive weight/],
    ['V=-1', /expected <topic>=<weight>/],
    ['', /no positive weight/],
  ])('rejects %j', (spec, message) => {
    expect(() => parseMix(spec)).toThrow(message);
  });
});

describe('MixSequencer', () => {
  it('sends each topic exactly in proportion over every cycle', () => {
    const sequencer = new MixSequencer(defaultMix);
    for (let cycle = 0; cycle < 5; cycle++) {
      const counts = [0, 0, 0];
      for (let i = 0; i < 10; i++) counts[sequencer.nextIndex()]! += 1;
      expect(counts).toEqual([8, 1, 1]);
    }
  });

  it('interleaves rare topics instead of sending them in a block', () => {
    const sequencer = new MixSequencer(defaultMix);
    const picks = Array.from({ length: 100 }, () => sequencer.nextIndex()).join('');
    // A block would put the rare topics next to each other or leave long stretches without them.
    expect(picks).not.toMatch(/[12]{2}/);
    expect(picks).not.toMatch(/0{8}/);
  });

  it('starts vehicles at different points of the cycle', () => {
    const first = new MixSequencer(defaultMix, 0);
    const second = new MixSequencer(defaultMix, 3);
    const a = Array.from({ length: 10 }, () => first.nextIndex());
    const b = Array.from({ length: 10 }, () => second.nextIndex());
    expect(a).not.toEqual(b);
    expect(b.filter((index) => index === 0)).toHaveLength(8);
  });
});
