import { binaryToFloat64 } from './binary-float.js';

/**
 * Go's `strconv.ParseFloat(text, 64)`: decimal and hexadecimal literals with optional
 * underscores between digits, `inf` / `infinity` / `nan`. `undefined` where Go returns an
 * error (bad syntax, or a finite literal too large for a float64).
 */
export function parseGoFloat64(text: string): number | undefined {
  const special = parseSpecial(text);
  if (special !== undefined) return special;
  const literal = FLOAT_LITERAL.exec(text);
  if (literal === null) return undefined;
  if (text.includes('_') && !underscoresSeparateDigits(text)) return undefined;
  const plain = text.replaceAll('_', '');
  const negative = plain.startsWith('-');
  const magnitude = literal[1] === undefined ? Number(plain.replace(/^[+-]/, '')) : hexMagnitude(plain);
  if (magnitude === Infinity) return undefined;
  return negative ? -magnitude : magnitude;
}

/**
 * Decimal: digits with an optional point and `e` exponent. Hexadecimal (`0x`, group 1): hex
 * digits with an optional point and a mandatory `p` exponent. Underscores are checked apart.
 * The exponent starts with a digit, after its optional sign.
 */
const FLOAT_LITERAL =
  /^[+-]?(?:(0[xX](?=.)(?=[_\da-fA-F.]*[\da-fA-F])[_\da-fA-F]*\.?[_\da-fA-F]*[pP][+-]?\d[_\d]*)|(?=[_\d.]*\d)[_\d]*\.?[_\d]*(?:[eE][+-]?\d[_\d]*)?)$/;

function parseSpecial(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  const unsigned = lower.replace(/^[+-]/, '');
  if (unsigned !== 'inf' && unsigned !== 'infinity') return undefined;
  return lower.startsWith('-') ? -Infinity : Infinity;
}

/** `0x1.8p3` style magnitude, correctly rounded (sign removed by the caller). */
function hexMagnitude(plain: string): number {
  const match = /^[+-]?0[xX]([\da-fA-F]*)\.?([\da-fA-F]*)[pP]([+-]?\d+)$/.exec(plain)!;
  const fraction = match[2]!;
  const mantissa = BigInt(`0x0${match[1]}${fraction}`);
  // Go caps the exponent it reads; anything this far out is 0 or Infinity anyway.
  const exponent = Math.max(-100000, Math.min(100000, Number(match[3])));
  return binaryToFloat64(mantissa, exponent - 4 * fraction.length);
}

/**
 * Go accepts underscores only between digits (a `0x` prefix counts as a digit), never first,
 * last or doubled.
 */
function underscoresSeparateDigits(text: string): boolean {
  const unsigned = text.replace(/^[+-]/, '');
  const hex = /^0[xX]/.test(unsigned);
  const digit = hex ? /[\da-fA-F]/ : /\d/;
  let previous: 'start' | 'digit' | 'underscore' | 'other' = hex ? 'digit' : 'start';
  for (const char of hex ? unsigned.slice(2) : unsigned) {
    if (digit.test(char)) previous = 'digit';
    else if (char === '_') {
      if (previous !== 'digit') return false;
      previous = 'underscore';
    } else {
      if (previous === 'underscore') return false;
      previous = 'other';
    }
  }
  return previous !== 'underscore';
}

/** Go's `strconv.Atoi` on a 64-bit platform: optional sign, decimal digits, no underscores. */
export function parseGoInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) return undefined;
  return Number(value);
}
