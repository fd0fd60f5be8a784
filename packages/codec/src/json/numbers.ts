/**
 * Number formatting as Go's protojson writes it: the shortest decimal that reads back as the same
 * value at the field's own precision, fixed notation between 1e-6 and 1e21, exponent notation
 * outside, NaN and the infinities as strings.
 */

const FLOAT32_EXPONENT_BELOW = Math.fround(1e-6);
const FLOAT32_EXPONENT_FROM = Math.fround(1e21);
const FLOAT32_MIN_NORMAL = 2 ** -126;
/** Where exactDigits works: fractions of at most 49 bits, integer parts below 2^53. */
const EXACT_DIGITS_FROM = 2 ** -26;
const EXACT_DIGITS_BELOW = 2 ** 53;
/** Ten digits decide the rounding of nine, the most a float32 needs. */
const EXACT_DIGITS = 11;
/** Any decimal of up to FLT_DIG (6) significant digits names exactly one normal float32. */
const FLOAT32_UNIQUE_DIGITS = 6;

const float32Scratch = new Float32Array(1);
const float32Bits = new Uint32Array(float32Scratch.buffer);

/** `value` must already be a float32 (read with getFloat32). */
export function formatFloat(value: number): string {
  if (value !== value) return '"NaN"';
  if (value === Infinity) return '"Infinity"';
  if (value === -Infinity) return '"-Infinity"';
  if (value === 0) return 1 / value < 0 ? '-0' : '0';
  const negative = value < 0;
  const magnitude = negative ? -value : value;
  const exponential = magnitude < FLOAT32_EXPONENT_BELOW || magnitude >= FLOAT32_EXPONENT_FROM;
  const text = layout(shortestFloat32(magnitude), exponential);
  return negative ? `-${text}` : text;
}

/** Significant digits and the power of ten of the first one: value = d.ddd × 10^exponent. */
interface Decimal {
  digits: string;
  exponent: number;
}

function shortestFloat32(magnitude: number): Decimal {
  float32Scratch[0] = magnitude;
  const bits = float32Bits[0] ?? 0;
  const powerOfTwo = (bits & 0x7fffff) === 0 && bits >>> 23 !== 0;
  const exponent = exactDigits(magnitude);
  return exponent === undefined
    ? shortestFromDoubleDigits(magnitude, bits, powerOfTwo)
    : shortestFromExactDigits(magnitude, exponent, powerOfTwo);
}

/** Significant decimal digits of the value being formatted (see exactDigits). */
const digitBuffer = new Uint8Array(EXACT_DIGITS);
let digitCount = 0;
/** Whether nonzero digits follow the ones in digitBuffer. */
let moreDigits = false;

/**
 * Writes the leading decimal digits of `magnitude` into digitBuffer and returns the power of ten
 * of the first, or undefined outside the range where doubles do this exactly. Inside it the
 * integer part is below 2^53 and the fraction has at most 49 bits, so every step below (split,
 * ×10, subtract the digit) is exact.
 */
function exactDigits(magnitude: number): number | undefined {
  if (!(magnitude >= EXACT_DIGITS_FROM && magnitude < EXACT_DIGITS_BELOW)) return undefined;
  const whole = Math.floor(magnitude);
  let fraction = magnitude - whole;
  let exponent: number;
  digitCount = 0;
  moreDigits = false;
  if (whole > 0) {
    const text = String(whole);
    exponent = text.length - 1;
    for (let i = 0; i < text.length; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digitCount < EXACT_DIGITS) digitBuffer[digitCount++] = digit;
      else if (digit !== 0) moreDigits = true;
    }
  } else {
    exponent = -1;
    fraction *= 10;
    while (fraction < 1) {
      fraction *= 10;
      exponent--;
    }
    const digit = Math.floor(fraction);
    digitBuffer[digitCount++] = digit;
    fraction -= digit;
  }
  while (fraction !== 0 && digitCount < EXACT_DIGITS) {
    fraction *= 10;
    const digit = Math.floor(fraction);
    digitBuffer[digitCount++] = digit;
    fraction -= digit;
  }
  if (fraction !== 0) moreDigits = true;
  return exponent;
}

/**
 * Tries each precision in turn: the value rounded to the nearest decimal of that many digits
 * (Go breaks exact ties towards the even digit, except at powers of two where Dragonbox rounds
 * half up), and at powers of two also the decimal above it (the gap below a power of two is
 * half the gap above, so the nearest decimal may miss the narrower lower half).
 */
function shortestFromExactDigits(magnitude: number, exponent: number, powerOfTwo: boolean): Decimal {
  let prefix = 0;
  for (let precision = 1; precision <= digitCount; precision++) {
    prefix = prefix * 10 + (digitBuffer[precision - 1] ?? 0);
    const scale = exponent - precision + 1;
    if (precision === digitCount && !moreDigits) return decimal(prefix, scale);
    const next = precision < digitCount ? (digitBuffer[precision] ?? 0) : 0;
    let carry: number;
    if (next !== 5) carry = next > 5 ? 1 : 0;
    else if (moreDigits || nonzeroFrom(precision + 1)) carry = 1;
    else carry = powerOfTwo || prefix % 2 === 1 ? 1 : 0;
    if (readsBack(prefix + carry, scale, magnitude)) return decimal(prefix + carry, scale);
    if (powerOfTwo && carry === 0 && readsBack(prefix + 1, scale, magnitude)) return decimal(prefix + 1, scale);
  }
  // Nine significant digits always read back, so this is not reached.
  return decimal(prefix, exponent - digitCount + 1);
}

function nonzeroFrom(index: number): boolean {
  for (let i = index; i < digitCount; i++) if (digitBuffer[i] !== 0) return true;
  return false;
}

/** Outside the exact range: start from the double's shortest form (slower in V8, but exact enough). */
function shortestFromDoubleDigits(magnitude: number, bits: number, powerOfTwo: boolean): Decimal {
  // The double's shortest form also reads back as this float32; when it is short enough it is
  // the only decimal of that length that does, so it is the float32's shortest form too.
  const double = decompose(magnitude.toExponential());
  const digits = double.digits;
  if (digits.length <= FLOAT32_UNIQUE_DIGITS && magnitude >= FLOAT32_MIN_NORMAL) return double;
  let prefix = 0;
  for (let precision = 1; precision <= digits.length; precision++) {
    prefix = prefix * 10 + (digits.charCodeAt(precision - 1) - 48);
    if (precision === digits.length) return double;
    const scale = double.exponent - precision + 1;
    const carry = roundingCarry(digits, precision, scale, bits, powerOfTwo, prefix);
    if (readsBack(prefix + carry, scale, magnitude)) return decimal(prefix + carry, scale);
    if (powerOfTwo && carry === 0 && readsBack(prefix + 1, scale, magnitude)) return decimal(prefix + 1, scale);
  }
  return double;
}

/**
 * 1 when `digits` rounded to `precision` digits rounds up, else 0. The digits are the double's
 * shortest form; only when they stop at exactly half a unit can they hide which side of the
 * midpoint the float32 lies on, and then exact arithmetic decides. Go breaks exact ties towards
 * the even digit, except at powers of two, where Dragonbox rounds half up.
 */
function roundingCarry(digits: string, precision: number, scale: number, bits: number, powerOfTwo: boolean, prefix: number): number {
  const next = digits.charCodeAt(precision) - 48;
  if (next !== 5) return next > 5 ? 1 : 0;
  if (digits.length > precision + 1) return 1;
  const side = compareWithFloat32((2 * prefix + 1) * 5, scale - 1, bits);
  if (side !== 0) return side < 0 ? 1 : 0;
  return powerOfTwo || prefix % 2 === 1 ? 1 : 0;
}

/** Sign of (midpoint × 10^scale − the float32 with these bits), computed exactly. */
function compareWithFloat32(midpoint: number, scale: number, bits: number): number {
  const biased = (bits >>> 23) & 0xff;
  const significand = BigInt(biased === 0 ? bits & 0x7fffff : (bits & 0x7fffff) | 0x800000);
  const binaryExponent = biased === 0 ? -149 : biased - 150;
  let left = BigInt(midpoint);
  let right = significand;
  if (scale >= 0) left *= 10n ** BigInt(scale);
  else right *= 10n ** BigInt(-scale);
  if (binaryExponent >= 0) right <<= BigInt(binaryExponent);
  else left <<= BigInt(-binaryExponent);
  return left < right ? -1 : left > right ? 1 : 0;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Whether mantissa × 10^scale reads back as the float32 `magnitude`. */
function readsBack(mantissa: number, scale: number, magnitude: number): boolean {
  // With both operands exact, one IEEE multiplication or division is the correctly rounded
  // double, as a decimal parse would give; beyond 10^22 the power itself is inexact.
  let value: number;
  if (scale >= 0 && scale < POWERS_OF_TEN.length) value = mantissa * POWERS_OF_TEN[scale]!;
  else if (scale < 0 && -scale < POWERS_OF_TEN.length) value = mantissa / POWERS_OF_TEN[-scale]!;
  else value = Number(`${mantissa}e${scale}`);
  return Math.fround(value) === magnitude;
}

/** mantissa × 10^scale as significant digits without trailing zeros. */
function decimal(mantissa: number, scale: number): Decimal {
  let digits = String(mantissa);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  const exponent = scale + digits.length - 1;
  digits = digits.slice(0, end);
  return { digits, exponent };
}

/** Parses `toExponential` output ("1.2345e-7", "5e+0"), dropping trailing zeros. */
function decompose(text: string): Decimal {
  const e = text.indexOf('e');
  const mantissa = text.slice(0, e);
  let digits = mantissa.length > 1 ? mantissa.charAt(0) + mantissa.slice(2) : mantissa;
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  return { digits, exponent: Number(text.slice(e + 1)) };
}

/** Go's strconv 'f' (with -1 precision) or 'e' layout, then protojson's "e-07" → "e-7". */
function layout({ digits, exponent }: Decimal, exponential: boolean): string {
  if (exponential) {
    const mantissa = digits.length > 1 ? `${digits.charAt(0)}.${digits.slice(1)}` : digits;
    if (exponent < 0) return `${mantissa}e${exponent}`;
    return `${mantissa}e+${exponent < 10 ? '0' : ''}${exponent}`;
  }
  const point = exponent + 1;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
