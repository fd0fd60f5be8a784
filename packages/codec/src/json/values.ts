import { base64Encode } from '@bufbuild/protobuf/wire';
import { JsonEncodeError } from './errors.js';
import { formatFloat } from './numbers.js';
import { putAscii, putByte, putBytes, putFiniteDouble, putInteger, putJsonString, putPadded, putUnsigned } from './output.js';
import {
  KIND_BOOL,
  KIND_BYTES,
  KIND_DOUBLE,
  KIND_ENUM,
  KIND_FIXED32,
  KIND_FIXED64,
  KIND_FLOAT,
  KIND_INT32,
  KIND_INT64,
  KIND_SFIXED32,
  KIND_SFIXED64,
  KIND_SINT32,
  KIND_SINT64,
  KIND_STRING,
  KIND_UINT32,
  KIND_UINT64,
  WIRE_VARINT,
} from './plan.js';
import type { EnumNames, ValuePlan } from './plan.js';
import { checkTimestamp, civil, civilDate, fractionDigits } from './timestamp.js';
import {
  buf,
  high,
  need,
  next,
  readFloat32,
  readFloat64,
  readInt32,
  readTag,
  readUint32,
  readVarint,
  skipValue,
  valueStart,
} from './wire.js';

/** Writing one value of a non-message kind straight from the wire bytes to the output. */

const TWO_POW_32 = 4294967296;
/** Below 2^21 in the high word a 64-bit integer is an exact double. */
const EXACT_HIGH_LIMIT = 0x200000;
/** From here on, a signed high word is a negative number of magnitude at most 2^53. */
const EXACT_NEGATIVE_HIGH_FROM = 0xffe00000;

const TRUE = new TextEncoder().encode('true');
const FALSE = new TextEncoder().encode('false');

/** Writes one scalar value read at `p` (for LEN kinds, the content `p..end`); returns the position after it. */
export function writeScalar(plan: ValuePlan, p: number, end: number): number {
  switch (plan.kind) {
    case KIND_INT32:
      putInteger(readVarint(p, end) | 0);
      return next;
    case KIND_UINT32:
      putUnsigned(readVarint(p, end));
      return next;
    case KIND_SINT32: {
      const v = readVarint(p, end);
      putInteger((v >>> 1) ^ -(v & 1));
      return next;
    }
    case KIND_INT64: {
      const lo = readVarint(p, end);
      putInt64(lo, high, true);
      return next;
    }
    case KIND_UINT64: {
      const lo = readVarint(p, end);
      putInt64(lo, high, false);
      return next;
    }
    case KIND_SINT64: {
      const lo = readVarint(p, end);
      const mask = -(lo & 1);
      putInt64(((lo >>> 1) | (high << 31)) ^ mask, (high >>> 1) ^ mask, true);
      return next;
    }
    case KIND_FIXED32:
      need(p, end, 4);
      putUnsigned(readUint32(p));
      return p + 4;
    case KIND_SFIXED32:
      need(p, end, 4);
      putInteger(readInt32(p));
      return p + 4;
    case KIND_FIXED64:
      need(p, end, 8);
      putInt64(readUint32(p), readUint32(p + 4), false);
      return p + 8;
    case KIND_SFIXED64:
      need(p, end, 8);
      putInt64(readUint32(p), readUint32(p + 4), true);
      return p + 8;
    case KIND_FLOAT:
      need(p, end, 4);
      putAscii(formatFloat(readFloat32(p)));
      return p + 4;
    case KIND_DOUBLE:
      need(p, end, 8);
      putDouble(readFloat64(p));
      return p + 8;
    case KIND_BOOL: {
      const lo = readVarint(p, end);
      putBytes(lo !== 0 || high !== 0 ? TRUE : FALSE);
      return next;
    }
    case KIND_STRING:
      putJsonString(buf, p, end);
      return end;
    case KIND_BYTES:
      putByte(0x22);
      putAscii(base64Encode(buf.subarray(p, end)));
      putByte(0x22);
      return end;
    case KIND_ENUM:
      putEnum(plan.enumNames!, readVarint(p, end) | 0);
      return next;
    default:
      throw new JsonEncodeError('unsupported_schema', `no scalar writer for kind ${plan.kind}`);
  }
}

/** A double as protojson writes it: shortest round-trip form, `-0` kept, NaN and infinities quoted. */
export function putDouble(value: number): void {
  if (value !== 0 && value - value === 0) putFiniteDouble(value);
  else if (value === 0) putAscii(1 / value < 0 ? '-0' : '0');
  else if (value !== value) putAscii('"NaN"');
  else putAscii(value > 0 ? '"Infinity"' : '"-Infinity"');
}

/** A 64-bit integer given as two 32-bit words, quoted as protojson writes it. */
function putInt64(lo: number, hi: number, signed: boolean): void {
  const highWord = hi >>> 0;
  putByte(0x22);
  if (highWord < EXACT_HIGH_LIMIT) {
    putUnsigned(highWord * TWO_POW_32 + (lo >>> 0));
  } else if (signed && highWord >= EXACT_NEGATIVE_HIGH_FROM) {
    putByte(0x2d);
    putUnsigned(-((highWord - TWO_POW_32) * TWO_POW_32 + (lo >>> 0)));
  } else {
    const unsigned = (BigInt(highWord) << 32n) | BigInt(lo >>> 0);
    putAscii((signed ? BigInt.asIntN(64, unsigned) : unsigned).toString());
  }
  putByte(0x22);
}

function putEnum(names: EnumNames, value: number): void {
  // Numbers the schema does not name are written as numbers, as protojson does.
  const name = value >= 0 && value < names.dense.length ? names.dense[value] : names.sparse.get(value);
  if (name === undefined) putInteger(value);
  else putBytes(name);
}

/** The Timestamp being read: its fields as the last records set them. */
let secondsLo = 0;
let secondsHigh = 0;
let nanos = 0;

export function startTimestamp(): void {
  secondsLo = 0;
  secondsHigh = 0;
  nanos = 0;
}

/** Reads one record range of a Timestamp message (several ranges merge). */
export function readTimestamp(start: number, end: number): void {
  let p = start;
  while (p < end) {
    const tag = readTag(p, end);
    const fieldNumber = tag >>> 3;
    const wireType = tag & 7;
    const valueEnd = skipValue(wireType, next, end, fieldNumber);
    if (wireType === WIRE_VARINT && fieldNumber === 1) {
      secondsLo = readVarint(valueStart, end);
      secondsHigh = high;
    } else if (wireType === WIRE_VARINT && fieldNumber === 2) {
      nanos = readVarint(valueStart, end) | 0;
    }
    p = valueEnd;
  }
}

const SECONDS_PER_DAY = 86400;
/** Nanoseconds → the fraction digits protojson writes, by their count (0, 3, 6 or 9). */
const FRACTION_DIVISORS = [1, 0, 0, 1000000, 0, 0, 1000, 0, 0, 1];
/** `"YYYY-MM-DDTHH:MM:SS` of the last Timestamp written; the date part changes once a day. */
const timestampPrefix = new Uint8Array(20);
let prefixDay = Number.NaN;

/** Writes the Timestamp read as protojson does: `"YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z"`. */
export function putTimestamp(): void {
  const seconds = (secondsHigh | 0) * TWO_POW_32 + secondsLo;
  checkTimestamp(seconds, nanos);
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  if (days !== prefixDay) setPrefixDate(days);
  const secondOfDay = seconds - days * SECONDS_PER_DAY;
  const hour = (secondOfDay / 3600) | 0;
  const secondOfHour = secondOfDay - hour * 3600;
  const minute = (secondOfHour / 60) | 0;
  setTwoDigits(12, hour);
  setTwoDigits(15, minute);
  setTwoDigits(18, secondOfHour - minute * 60);
  putBytes(timestampPrefix);
  const digits = fractionDigits(nanos);
  if (digits > 0) {
    putByte(0x2e);
    putPadded(nanos / FRACTION_DIVISORS[digits]!, digits);
  }
  putByte(0x5a);
  putByte(0x22);
}

function setPrefixDate(days: number): void {
  civilDate(days);
  const text = `"${String(civil.year).padStart(4, '0')}-${String(civil.month).padStart(2, '0')}-${String(civil.day).padStart(2, '0')}T00:00:00`;
  for (let i = 0; i < text.length; i++) timestampPrefix[i] = text.charCodeAt(i);
  prefixDay = days;
}

function setTwoDigits(at: number, value: number): void {
  const tens = (value / 10) | 0;
  timestampPrefix[at] = 48 + tens;
  timestampPrefix[at + 1] = 48 + (value - tens * 10);
}
