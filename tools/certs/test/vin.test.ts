import { describe, expect, it } from 'vitest';
import { devVin, isValidVin, vinCheckDigit } from '../src/index.js';

describe('VINs', () => {
  it('computes the ISO 3779 check digit of known VINs', () => {
    // Published examples with check digits X and 2.
    expect(vinCheckDigit('1M8GDM9AXKP042788')).toBe('X');
    expect(isValidVin('1M8GDM9AXKP042788')).toBe(true);
    expect(isValidVin('11111111111111111')).toBe(true);
    expect(isValidVin('1M8GDM9A1KP042788')).toBe(false);
  });

  it('rejects malformed VINs', () => {
    expect(isValidVin('5YJ3E1EA9PF00000')).toBe(false);
    expect(isValidVin('5YJ3E1EA9PF0000011')).toBe(false);
    // I, O and Q never appear in a VIN.
    expect(isValidVin('5YJ3E1EAOPF000001')).toBe(false);
  });

  it('numbers development VINs deterministically, all valid', () => {
    expect(devVin(1)).toBe('5YJ3E1EA9PF000001');
    expect(devVin(1)).toBe(devVin(1));
    const vins = Array.from({ length: 500 }, (_, index) => devVin(index + 1));
    expect(new Set(vins).size).toBe(500);
    for (const vin of vins) {
      expect(vin).toHaveLength(17);
      expect(isValidVin(vin)).toBe(true);
    }
    expect(devVin(999_999)).toMatch(/^5YJ3E1EA.PF999999$/);
  });

  it('refuses indexes outside 1..999999', () => {
    for (const index of [0, -1, 1.5, 1_000_000, Number.NaN]) {
      expect(() => devVin(index)).toThrow(RangeError);
    }
  });
});
