import { EXACT_POWERS_OF_TEN, compareDecimalMagnitude } from './binary-float.js';

/** The string values vehicles send in scientific notation (the reference's pattern, verbatim). */
export const SCIENTIFIC_NOTATION = /^[+-]?(\d*\.\d+|\d+\.\d*)([eE][+-]?\d+)$/;

const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** `SCIENTIFIC_NOTATION.test()` on the UTF-8 bytes `buf[start, end)`, without decoding them. */
export function isScientificNotation(buf: Uint8Array, start: number, end: number): boolean {
  let at = start;
  if (at < end && (buf[at] === PLUS || buf[at] === MINUS)) at++;
  let digits = 0;
  while (at < end && isDigit(buf[at]!)) {
    at++;
    digits++;
  }
  if (at >= end || buf[at] !== DOT) return false;
  at++;
  while (at < end && isDigit(buf[at]!)) {
    at++;
    digits++;
  }
  // One of 'e' / 'E'.
  if (digits === 0 || at >= end || (buf[at]! | 0x20) !== 0x65) return false;
  at++;
  if (at < end && (buf[at] === PLUS || buf[at] === MINUS)) at++;
  const exponentStart = at;
  while (at < end && isDigit(buf[at]!)) at++;
  return at > exponentStart && at === end;
}

/**
 * The rewrite of a string matching `SCIENTIFIC_NOTATION`, as the reference does it: parse as a
 * float32 (`strconv.ParseFloat(s, 32)`), print with `%.5f`. `undefined` when the value is out
 * of the float32 range, in which case the reference leaves the string as it is.
 */
export function rewriteScientific(text: string): string | undefined {
  const value = parseFloat32(text);
  return value === undefined ? undefined : formatFloat32Fixed5(value);
}

/**
 * `rewriteScientific` of the ASCII bytes `buf[start, end)`, which `isScientificNotation`
 * accepted. Short literals (up to 15 significant digits, exponent within ±22 of the point)
 * convert exactly from the bytes; others take the text path.
 */
export function rewriteScientificBytes(buf: Uint8Array, start: number, end: number): string | undefined {
  const double = shortDecimalValue(buf, start, end);
  if (!Number.isNaN(double)) {
    const single = Math.fround(double);
    if (single === double || !isFloat32Midpoint(double, single)) {
      return Number.isFinite(single) ? formatFloat32Fixed5(single) : undefined;
    }
  }
  return rewriteScientific(asciiDecoder.decode(buf.subarray(start, end)));
}

/**
 * The float64 nearest to a scientific literal when that takes one exact operation (an integer
 * below 2^53 times or divided by an exact power of ten); NaN otherwise.
 */
function shortDecimalValue(buf: Uint8Array, start: number, end: number): number {
  let at = start;
  const negative = buf[at] === MINUS;
  if (negative || buf[at] === PLUS) at++;
  let mantissa = 0;
  let significant = 0;
  let fractionDigits = 0;
  let inFraction = false;
  for (; ; at++) {
    const byte = buf[at]!;
    if (byte === DOT) {
      inFraction = true;
      continue;
    }
    if (!isDigit(byte)) break;
    if (inFraction) fractionDigits++;
    if (mantissa > 0 || byte !== 0x30) {
      if (++significant > 15) return NaN;
      mantissa = mantissa * 10 + (byte - 0x30);
    }
  }
  at++; // 'e' or 'E'
  const exponentNegative = buf[at] === MINUS;
  if (exponentNegative || buf[at] === PLUS) at++;
  if (end - at > 4) return NaN;
  let exponent = 0;
  for (; at < end; at++) exponent = exponent * 10 + (buf[at]! - 0x30);
  const power = (exponentNegative ? -exponent : exponent) - fractionDigits;
  let magnitude: number;
  if (mantissa === 0) magnitude = 0;
  else if (power >= 0 && power <= 22) magnitude = mantissa * EXACT_POWERS_OF_TEN[power]!;
  else if (power < 0 && power >= -22) magnitude = mantissa / EXACT_POWERS_OF_TEN[-power]!;
  else return NaN;
  return negative ? -magnitude : magnitude;
}

const asciiDecoder = new TextDecoder();


/**
 * Correctly rounded decimal → float32, as Go's `ParseFloat(text, 32)`; `undefined` on overflow.
 * `text` must match `SCIENTIFIC_NOTATION`.
 */
export function parseFloat32(text: string): number | undefined {
  const double = Number(text);
  let single = Math.fround(double);
  // Rounding to float64 first is exact enough, except when it lands on a float32 midpoint:
  // then the digits beyond float64 precision decide, so compare the decimal exactly.
  if (single !== double && isFloat32Midpoint(double, single)) {
    const comparison = compareScientificMagnitude(text, double);
    if (comparison !== 0) {
      const other = float32Neighbour(single, double);
      const larger = Math.abs(single) > Math.abs(other) ? single : other;
      const smaller = larger === single ? other : single;
      single = comparison > 0 ? larger : smaller;
    }
  }
  return Number.isFinite(single) ? single : undefined;
}

/** Whether `double` lies exactly halfway between two float32 values (`single` = fround). */
function isFloat32Midpoint(double: number, single: number): boolean {
  if (!Number.isFinite(single)) return Math.abs(double) === FLOAT32_OVERFLOW_MIDPOINT;
  const other = float32Neighbour(single, double);
  return Math.abs(double - single) === Math.abs(other - double);
}

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);
const MAX_FLOAT32 = 3.4028234663852886e38;
/** Halfway between the largest float32 and 2^128: from here on, float32 rounding overflows. */
const FLOAT32_OVERFLOW_MIDPOINT = 2 ** 128 - 2 ** 103;

/** The float32 next to `single` on the side of `target` (`single` is `fround(target)`). */
function float32Neighbour(single: number, target: number): number {
  if (!Number.isFinite(single)) return Math.sign(single) * MAX_FLOAT32;
  if (single === 0) return Math.sign(target) * 2 ** -149;
  float32[0] = single;
  // Adjacent float32 magnitudes have adjacent bit patterns.
  float32Bits[0] = float32Bits[0]! + (Math.abs(target) > Math.abs(single) ? 1 : -1);
  return float32[0]!;
}

function compareScientificMagnitude(text: string, value: number): number {
  const match = /^[+-]?(\d*)\.(\d*)[eE]([+-]?\d+)$/.exec(text)!;
  const fraction = match[2]!;
  const digits = BigInt(`${match[1]}${fraction}`);
  return compareDecimalMagnitude(digits, Number(match[3]) - fraction.length, value);
}

/**
 * Go's `fmt.Sprintf("%.5f", float64(value))` for a float32 `value`: exact decimal expansion,
 * ties to even (JavaScript's `toFixed` breaks ties away from zero and switches to exponent
 * notation from 1e21).
 */
export function formatFloat32Fixed5(value: number): string {
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const magnitude = Math.abs(value);
  // Float32 values this large are integers.
  if (magnitude >= 1e21) return `${sign}${BigInt(magnitude)}.00000`;
  // Exact for float32 inputs: 24 significant bits times an 18-bit factor.
  const doubled = magnitude * 200000;
  if (Number.isInteger(doubled) && doubled % 2 === 1) {
    // Exactly halfway between two 5-decimal values: keep the even one.
    let units = (doubled - 1) / 2;
    if (units % 2 === 1) units += 1;
    const fraction = String(units % 100000).padStart(5, '0');
    return `${sign}${Math.floor(units / 100000)}.${fraction}`;
  }
  return `${sign}${magnitude.toFixed(5)}`;
}
