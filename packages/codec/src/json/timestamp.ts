import { JsonEncodeError } from './errors.js';

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range RFC 3339 (and protojson) allow. */
const MIN_SECONDS = -62135596800;
const MAX_SECONDS = 253402300799;
const MAX_NANOS = 999999999;
const SECONDS_PER_DAY = 86400;

/** The calendar fields of the last timestamp split by `splitTimestamp`, in UTC. */
export const civil = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };

/**
 * Checks a google.protobuf.Timestamp against the range protojson accepts and splits its
 * seconds into `civil`.
 */
export function splitTimestamp(seconds: number, nanos: number): void {
  checkTimestamp(seconds, nanos);
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  const secondOfDay = seconds - days * SECONDS_PER_DAY;
  civil.hour = Math.floor(secondOfDay / 3600);
  civil.minute = Math.floor((secondOfDay % 3600) / 60);
  civil.second = secondOfDay % 60;
  civilDate(days);
}

/** Throws unless protojson would write this google.protobuf.Timestamp. */
export function checkTimestamp(seconds: number, nanos: number): void {
  if (!(seconds >= MIN_SECONDS && seconds <= MAX_SECONDS)) {
    throw new JsonEncodeError('invalid_timestamp', `google.protobuf.Timestamp seconds out of range: ${seconds}`);
  }
  if (!(nanos >= 0 && nanos <= MAX_NANOS)) {
    throw new JsonEncodeError('invalid_timestamp', `google.protobuf.Timestamp nanos out of range: ${nanos}`);
  }
}

/**
 * A google.protobuf.Timestamp as protojson writes it: UTC with `Z`, and 0, 3, 6 or 9 fractional
 * digits, the fewest that hold the nanoseconds exactly.
 */
export function formatTimestamp(seconds: number, nanos: number): string {
  splitTimestamp(seconds, nanos);
  const date = `${String(civil.year).padStart(4, '0')}-${two(civil.month)}-${two(civil.day)}`;
  return `"${date}T${two(civil.hour)}:${two(civil.minute)}:${two(civil.second)}${fraction(nanos)}Z"`;
}

/** Days since 1970-01-01 → civil.year, month, day in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
export function civilDate(days: number): void {
  const shifted = days + 719468;
  const era = Math.floor(shifted / 146097);
  const dayOfEra = shifted - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  civil.day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  civil.month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  civil.year = yearOfEra + era * 400 + (civil.month <= 2 ? 1 : 0);
}

/** How many fractional digits protojson writes for these nanoseconds: 0, 3, 6 or 9. */
export function fractionDigits(nanos: number): number {
  if (nanos === 0) return 0;
  if (nanos % 1000000 === 0) return 3;
  if (nanos % 1000 === 0) return 6;
  return 9;
}

function fraction(nanos: number): string {
  const digits = fractionDigits(nanos);
  if (digits === 0) return '';
  return `.${String(nanos / 10 ** (9 - digits)).padStart(digits, '0')}`;
}

function two(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
