import { isUtf8 } from 'node:buffer';
import { PayloadDecodeError, type PayloadDecodeReason } from './errors.js';

/** Protobuf wire types. */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

/**
 * Results of the last `readTag` / `readVarint`, kept in one module-level record so the hot scan
 * does not allocate a tuple per field. Read them right after the call that set them.
 */
export const wire = {
  fieldNo: 0,
  wireType: 0,
  /** The varint as a number (exact up to 2^53, which bounds every length that can fit). */
  value: 0,
  /** The low 32 bits of the varint as a signed integer: what int32 and enum fields keep. */
  int32: 0,
};

export function decodeError(reason: PayloadDecodeReason, offset: number, messageName: string): never {
  throw new PayloadDecodeError(reason, offset, messageName);
}

/** Reads a tag at `pos` (< end); sets `wire.fieldNo` / `wire.wireType`, returns the next position. */
export function readTag(buf: Uint8Array, pos: number, end: number, messageName: string): number {
  const first = buf[pos]!;
  let tag: number;
  let next: number;
  if (first < 0x80) {
    tag = first;
    next = pos + 1;
  } else {
    // A tag is a uint32 varint: at most 5 bytes, the 5th carrying only 4 bits.
    tag = first & 0x7f;
    next = pos + 1;
    for (let shift = 7; ; shift += 7) {
      if (next >= end) decodeError('truncated', pos, messageName);
      const byte = buf[next++]!;
      if (shift === 28) {
        if (byte > 0x0f) decodeError('invalid-tag', pos, messageName);
        tag = (tag | (byte << 28)) >>> 0;
        break;
      }
      tag |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
  }
  const wireType = tag & 7;
  wire.fieldNo = tag >>> 3;
  wire.wireType = wireType;
  if (wire.fieldNo === 0 || wireType > 5) decodeError('invalid-tag', pos, messageName);
  return next;
}

/** Reads a varint at `pos`; sets `wire.value` and `wire.int32`, returns the next position. */
export function readVarint(buf: Uint8Array, pos: number, end: number, messageName: string): number {
  if (pos >= end) decodeError('truncated', pos, messageName);
  const first = buf[pos]!;
  if (first < 0x80) {
    wire.value = first;
    wire.int32 = first;
    return pos + 1;
  }
  let low = 0;
  let value = 0;
  let scale = 1;
  let next = pos;
  for (let index = 0; index < 10; index++) {
    if (next >= end) decodeError('truncated', pos, messageName);
    const byte = buf[next++]!;
    if (index < 5) low |= (byte & 0x7f) << (7 * index);
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) {
      // The 10th byte holds bit 63 only; anything more overflows 64 bits.
      if (index === 9 && byte > 1) break;
      wire.value = value;
      wire.int32 = low | 0;
      return next;
    }
  }
  return decodeError('malformed-varint', pos, messageName);
}

/** Skips a varint at `pos` with the same checks as `readVarint`. */
export function skipVarint(buf: Uint8Array, pos: number, end: number, messageName: string): number {
  if (pos < end && buf[pos]! < 0x80) return pos + 1;
  return readVarint(buf, pos, end, messageName);
}

/** Reads a length prefix at `pos`; sets `wire.value` to the length, returns the content start. */
export function readLength(buf: Uint8Array, pos: number, end: number, messageName: string): number {
  // Most lengths fit one byte.
  if (pos < end) {
    const first = buf[pos]!;
    if (first < 0x80) {
      if (first > end - pos - 1) decodeError('truncated', pos, messageName);
      wire.value = first;
      wire.int32 = first;
      return pos + 1;
    }
  }
  const start = readVarint(buf, pos, end, messageName);
  if (wire.value > end - start) decodeError('truncated', pos, messageName);
  return start;
}

/** Proto3 strings must be valid UTF-8 (Go's decoder rejects them otherwise). */
export function isValidUtf8(buf: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    // ASCII is the common case and needs no native call.
    if (buf[index]! >= 0x80) return isUtf8(buf.subarray(index, end));
  }
  return true;
}

/** Number of bytes of `value` (a non-negative integer below 2^53) as a varint. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Writes `value` (a non-negative integer below 2^53) as a varint; returns the next position. */
export function writeVarint(out: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    out[pos++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}

/** Size of an int32 field value: negative numbers are sign-extended to 10 bytes on the wire. */
export function int32VarintSize(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

export function writeInt32Varint(out: Uint8Array, pos: number, value: number): number {
  if (value >= 0) return writeVarint(out, pos, value);
  let low = value >>> 0;
  for (let index = 0; index < 4; index++) {
    out[pos++] = (low & 0x7f) | 0x80;
    low >>>= 7;
  }
  // Bits 28-31 of the value, then the sign extension up to bit 63.
  out[pos++] = low | 0xf0;
  for (let index = 0; index < 4; index++) out[pos++] = 0xff;
  out[pos++] = 0x01;
  return pos;
}

export function tagOf(fieldNo: number, wireType: number): number {
  return (fieldNo << 3) | wireType;
}
