/**
 * Exact conversions between binary floating point and integers, for the rare inputs where
 * the shortcuts of `Number()` and `Math.fround()` are not exact.
 */

const bits = new DataView(new ArrayBuffer(8));

/** `value` (finite, non-zero) as `mantissa * 2^exponent` with an integer mantissa. */
export function decompose(value: number): { mantissa: bigint; exponent: number } {
  bits.setFloat64(0, Math.abs(value));
  const high = bits.getUint32(0);
  const low = bits.getUint32(4);
  const biased = high >>> 20;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  return biased === 0
    ? { mantissa: fraction, exponent: -1074 }
    : { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/**
 * The float64 nearest to `mantissa * 2^exponent` (ties to even), or Infinity when it overflows.
 * `mantissa` must not be negative.
 */
export function binaryToFloat64(mantissa: bigint, exponent: number): number {
  if (mantissa === 0n) return 0;
  const length = mantissa.toString(2).length;
  const topExponent = length - 1 + exponent;
  if (topExponent > 1023) return Infinity;
  // Below half the smallest subnormal, everything rounds to zero.
  if (topExponent < -1075) return 0;
  // Exponent of the last bit a float64 of this magnitude can hold.
  const lastBit = Math.max(topExponent - 52, -1074);
  const shift = lastBit - exponent;
  if (shift <= 0) return Number(mantissa) * 2 ** exponent;
  let kept = mantissa >> BigInt(shift);
  const dropped = mantissa - (kept << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  if (dropped > half || (dropped === half && (kept & 1n) === 1n)) kept += 1n;
  // Both factors are exact and so is their product, unless it overflows to Infinity.
  return Number(kept) * 2 ** lastBit;
}

/** Go's `math.Ldexp`: `value * 2^exponent`, correctly rounded, never an error. */
export function ldexp(value: number, exponent: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const { mantissa, exponent: own } = decompose(value);
  // Far beyond the float64 range either way; clamping keeps the arithmetic small.
  const scaled = binaryToFloat64(mantissa, own + Math.max(-5000, Math.min(5000, exponent)));
  return value < 0 ? -scaled : scaled;
}

/**
 * Compares the exact value of a decimal literal (`digits * 10^exponent`) with a finite
 * float64 of the same sign: -1, 0 or 1 as the decimal is smaller, equal or larger in magnitude.
 */
export function compareDecimalMagnitude(digits: bigint, exponent: number, value: number): number {
  const { mantissa, exponent: binaryExponent } = decompose(value);
  let left = digits;
  let right = mantissa;
  if (exponent >= 0) left *= 10n ** BigInt(exponent);
  else right *= 10n ** BigInt(-exponent);
  if (binaryExponent >= 0) right <<= BigInt(binaryExponent);
  else left <<= BigInt(-binaryExponent);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** 10^0 … 10^22: the powers of ten a float64 holds exactly (parsed, never computed). */
export const EXACT_POWERS_OF_TEN: readonly number[] = Array.from({ length: 23 }, (_, power) => Number(`1e${power}`));
