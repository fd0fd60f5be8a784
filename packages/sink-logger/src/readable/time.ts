import type { Timestamp } from '@bufbuild/protobuf/wkt';

/** Epoch seconds, 0 for an absent timestamp (as the reference logs it). */
export function epochSeconds(timestamp: Timestamp | undefined): number {
  return timestamp === undefined ? 0 : Number(timestamp.seconds);
}

/** RFC 3339 in UTC without fractional seconds, e.g. `2024-05-01T12:00:00Z`. */
export function rfc3339Seconds(timestamp: Timestamp | undefined): string {
  return new Date(epochSeconds(timestamp) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A 64-bit integer as a JSON number when exact, else as a decimal string. */
export function int64(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}
