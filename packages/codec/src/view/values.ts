import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { formatTimestamp } from '../json/timestamp.js';

/** 64-bit integers as numbers while exact, as decimal strings beyond (loggers cannot write bigint). */
export function readableInt64(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** Epoch seconds of a timestamp, or undefined when it is unset. */
export function unixSeconds(timestamp: Timestamp | undefined): number | undefined {
  if (timestamp === undefined) return undefined;
  // Go's AsTime().Unix() floors; nanos are never negative in a valid timestamp.
  return Number(timestamp.seconds);
}

/** RFC 3339 in UTC to the second, as Go's time.RFC3339 layout writes it. */
export function utcSeconds(seconds: number): string {
  try {
    return formatTimestamp(seconds, 0).slice(1, -1);
  } catch {
    // Outside years 1..9999: still worth logging, as the number it is.
    return String(seconds);
  }
}
