import { JsonEncodeError } from './errors.js';
import { WIRE_EGROUP, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_SGROUP, WIRE_VARINT } from './plan.js';

/**
 * Reading the protobuf wire format of the message being written. The writer is synchronous, so
 * the input and the readers' secondary results live in module variables.
 */

/** Nesting of unknown groups, skipped without recursion: Go's default recursion limit. */
const MAX_GROUP_DEPTH = 10000;
const MAX_FIELD_NUMBER = 0x1fffffff;

const EMPTY = new Uint8Array(0);
/** The input. */
export let buf: Uint8Array = EMPTY;

/** Set by readVarint: the position after the varint and the high 32 bits of its value. */
export let next = 0;
export let high = 0;
/** Set by skipValue: where the value (for LEN: its content) starts. */
export let valueStart = 0;

export function setInput(bytes: Uint8Array): void {
  buf = bytes;
}

/** Drops the reference to the caller's bytes. */
export function clearInput(): void {
  buf = EMPTY;
}

/**
 * Fixed-width values are copied into scratch memory and read from there: cheaper than a
 * DataView over each input (one per call). Protobuf writes them little-endian.
 */
const scratch = new ArrayBuffer(8);
const scratchBytes = new Uint8Array(scratch);
const scratchInt32 = new Int32Array(scratch);
const scratchFloat32 = new Float32Array(scratch);
const scratchFloat64 = new Float64Array(scratch);
const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function load4(p: number): void {
  if (littleEndian) {
    scratchBytes[0] = buf[p]!;
    scratchBytes[1] = buf[p + 1]!;
    scratchBytes[2] = buf[p + 2]!;
    scratchBytes[3] = buf[p + 3]!;
  } else {
    for (let i = 0; i < 4; i++) scratchBytes[3 - i] = buf[p + i]!;
  }
}

function load8(p: number): void {
  if (littleEndian) for (let i = 0; i < 8; i++) scratchBytes[i] = buf[p + i]!;
  else for (let i = 0; i < 8; i++) scratchBytes[7 - i] = buf[p + i]!;
}

/** Little-endian fixed-width reads at `p` (bounds checked by the caller). */
export function readUint32(p: number): number {
  return (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
}

export function readInt32(p: number): number {
  load4(p);
  return scratchInt32[0]!;
}

export function readFloat32(p: number): number {
  load4(p);
  return scratchFloat32[0]!;
}

export function readFloat64(p: number): number {
  load8(p);
  return scratchFloat64[0]!;
}

/**
 * The tag at `p` (sets `next`), with the one-byte case, nearly every tag, kept out of a call. A
 * one-byte tag is not checked here: the caller decides what field number 0 means to it.
 */
export function tagAt(p: number, end: number): number {
  const tag = buf[p]!;
  if (tag < 0x80) {
    next = p + 1;
    return tag;
  }
  return readTag(p, end);
}

export function readTag(p: number, end: number): number {
  const tag = readVarint(p, end);
  const fieldNumber = tag >>> 3;
  if (high !== 0 || fieldNumber === 0 || fieldNumber > MAX_FIELD_NUMBER) invalidTag(fieldNumber);
  return tag;
}

/** Reads a varint at `p`; returns its low 32 bits unsigned, sets `high` and `next`. */
export function readVarint(p: number, end: number): number {
  if (p >= end) truncated();
  let b = buf[p++]!;
  if (b < 0x80) {
    next = p;
    high = 0;
    return b;
  }
  let lo = b & 0x7f;
  for (let shift = 7; shift < 28; shift += 7) {
    if (p >= end) truncated();
    b = buf[p++]!;
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      next = p;
      high = 0;
      return lo >>> 0;
    }
  }
  if (p >= end) truncated();
  b = buf[p++]!;
  lo |= (b & 0x0f) << 28;
  let hi = (b & 0x7f) >> 4;
  if (b < 0x80) {
    next = p;
    high = hi;
    return lo >>> 0;
  }
  for (let shift = 3; shift <= 24; shift += 7) {
    if (p >= end) truncated();
    b = buf[p++]!;
    hi |= (b & 0x7f) << shift;
    if (b < 0x80) {
      next = p;
      high = hi >>> 0;
      return lo >>> 0;
    }
  }
  if (p >= end) truncated();
  b = buf[p++]!;
  // The tenth byte holds bit 63 only, as Go's protowire insists.
  if (b > 1) throw new JsonEncodeError('invalid_varint', `varint overflows 64 bits at byte ${p - 1}`);
  next = p;
  high = (hi | (b << 31)) >>> 0;
  return lo >>> 0;
}

/** Skips the value of a record whose tag ended at `p`; sets `valueStart`, returns the end. */
export function skipValue(wireType: number, p: number, end: number, fieldNumber: number): number {
  switch (wireType) {
    case WIRE_VARINT:
      valueStart = p;
      readVarint(p, end);
      return next;
    case WIRE_I64:
      valueStart = p;
      need(p, end, 8);
      return p + 8;
    case WIRE_LEN: {
      const length = readVarint(p, end);
      if (high !== 0 || length > end - next) truncated();
      valueStart = next;
      return next + length;
    }
    case WIRE_I32:
      valueStart = p;
      need(p, end, 4);
      return p + 4;
    case WIRE_SGROUP:
      valueStart = p;
      return skipGroup(p, end, fieldNumber);
    case WIRE_EGROUP:
      throw new JsonEncodeError('invalid_group', `end-group marker for field ${fieldNumber} without a start`);
    default:
      throw new JsonEncodeError('invalid_tag', `reserved wire type ${wireType} on field ${fieldNumber}`);
  }
}

function skipGroup(p: number, end: number, fieldNumber: number): number {
  // Iterative, so hostile nesting cannot exhaust the stack; the limit is Go's recursion limit.
  const open = [fieldNumber];
  while (p < end) {
    const tag = readTag(p, end);
    const wireType = tag & 7;
    const number = tag >>> 3;
    p = next;
    if (wireType === WIRE_EGROUP) {
      const expected = open.pop();
      if (number !== expected) {
        throw new JsonEncodeError('invalid_group', `group ${expected} closed by end-group ${number}`);
      }
      if (open.length === 0) return p;
    } else if (wireType === WIRE_SGROUP) {
      if (open.length >= MAX_GROUP_DEPTH) tooDeep();
      open.push(number);
    } else {
      p = skipValue(wireType, p, end, number);
    }
  }
  throw new JsonEncodeError('invalid_group', `group ${fieldNumber} is never closed`);
}

export function need(p: number, end: number, size: number): void {
  if (end - p < size) truncated();
}

export function truncated(): never {
  throw new JsonEncodeError('truncated', 'protobuf record runs past the end of its message');
}

export function invalidTag(fieldNumber: number): never {
  throw new JsonEncodeError('invalid_tag', `invalid field number ${fieldNumber}`);
}

export function tooDeep(): never {
  throw new JsonEncodeError('too_deep', 'messages or groups nested too deeply');
}
