import type { DescMessage } from '@bufbuild/protobuf';
import { base64Encode } from '@bufbuild/protobuf/wire';
import { JsonEncodeError } from './errors.js';
import { formatDouble, formatFloat, int64ToDecimal } from './numbers.js';
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
  KIND_MESSAGE,
  KIND_SFIXED32,
  KIND_SFIXED64,
  KIND_SINT32,
  KIND_SINT64,
  KIND_STRING,
  KIND_UINT32,
  KIND_UINT64,
  LIST,
  SINGULAR,
  WIRE_EGROUP,
  WIRE_I32,
  WIRE_I64,
  WIRE_LEN,
  WIRE_SGROUP,
  WIRE_VARINT,
  messagePlan,
} from './plan.js';
import type { EnumNames, FieldPlan, Frame, MessagePlan, ValuePlan } from './plan.js';
import { decodeUtf8, jsonStringFromUtf8 } from './strings.js';
import { formatTimestamp } from './timestamp.js';

/**
 * How it works: a message is written in two passes over its bytes. The scan records every field
 * occurrence (where its value starts and ends) in a shared occurrence table, chained per field
 * slot; the emit pass then walks the plan's fields in declaration order and formats the values
 * straight from the wire bytes. That gives protojson's key order and defaults, last-value-wins
 * for scalars, and merge semantics for repeated message records (their byte ranges are scanned
 * one after another, which is what merging means in protobuf). Nothing is materialised except
 * the output string.
 *
 * The writer is synchronous and never calls out, so its state can live in module variables.
 */

/** Message nesting (only recursive schemas get deep); far deeper than any telemetry schema. */
const MAX_DEPTH = 100;
/** Nesting of unknown groups, skipped without recursion: Go's default recursion limit. */
const MAX_GROUP_DEPTH = 10000;
const MAX_FIELD_NUMBER = 0x1fffffff;
const TWO_POW_32 = 4294967296;

const EMPTY = new Uint8Array(0);
let buf: Uint8Array = EMPTY;
let view: DataView = new DataView(EMPTY.buffer);
let out = '';

/** Set by readVarint: the position after the varint and the high 32 bits of its value. */
let next = 0;
let high = 0;
/** Set by skipValue: where the value (for LEN: its content) starts. */
let valueStart = 0;

/** The occurrence table: one row per field record met on the wire. */
let occStart = new Int32Array(1024);
let occEnd = new Int32Array(1024);
let occNext = new Int32Array(1024);
let occWire = new Uint8Array(1024);
let occTop = 0;
/** Each message instance gets a fresh epoch, so frames never need clearing (even after a throw). */
let epochCounter = 0;

/**
 * Writes protobuf wire bytes of `schema` as canonical proto JSON, byte for byte as Go's protojson
 * with `EmitUnpopulated: true` (the reference server's setting), without building a message.
 * Throws `JsonEncodeError` for bytes that are not a valid encoding.
 */
export function protobufToJson(schema: DescMessage, bytes: Uint8Array): string {
  const plan = messagePlan(schema);
  buf = bytes;
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  out = '';
  occTop = 0;
  try {
    writeMessage(plan, pushOccurrence(0, bytes.length, WIRE_LEN), true, 0);
    return out;
  } finally {
    // Drop references to the caller's buffer and the output.
    buf = EMPTY;
    view = new DataView(EMPTY.buffer);
    out = '';
  }
}

function writeMessage(plan: MessagePlan, first: number, single: boolean, depth: number): void {
  if (depth > MAX_DEPTH) tooDeep();
  if (plan.isTimestamp) {
    writeTimestamp(first, single);
    return;
  }
  const frame = plan.frames[depth] ?? newFrame(plan, depth);
  const epoch = ++epochCounter;
  const savedTop = occTop;
  for (let k = first; k !== -1; k = single ? -1 : occNext[k]!) {
    scanRange(plan, frame, epoch, occStart[k]!, occEnd[k]!);
  }
  writeFields(plan, frame, epoch, depth);
  occTop = savedTop;
}

function scanRange(plan: MessagePlan, frame: Frame, epoch: number, start: number, end: number): void {
  const byNumber = plan.byNumber;
  let p = start;
  while (p < end) {
    let tag = buf[p]!;
    if (tag < 0x80) p++;
    else {
      tag = readTag(p, end);
      p = next;
    }
    const fieldNumber = tag >>> 3;
    const wireType = tag & 7;
    if (fieldNumber === 0) invalidTag(fieldNumber);
    const valueEnd = skipValue(wireType, p, end, fieldNumber);
    const field = fieldNumber < byNumber.length ? byNumber[fieldNumber] : plan.sparseByNumber.get(fieldNumber);
    // A record whose wire type does not fit the field is an unknown field to Go; skip it too.
    if (
      field !== undefined &&
      (wireType === field.wireType || (wireType === WIRE_LEN && field.packable && field.cardinality === LIST))
    ) {
      record(field, frame, epoch, valueStart, valueEnd, wireType);
    }
    p = valueEnd;
  }
}

function record(field: FieldPlan, frame: Frame, epoch: number, start: number, end: number, wireType: number): void {
  const k = pushOccurrence(start, end, wireType);
  const slot = field.slot;
  const oneof = field.oneof;
  if (oneof >= 0 && (frame.oneofEpoch[oneof] !== epoch || frame.oneofSlot[oneof] !== slot)) {
    // Setting a oneof member clears whatever the oneof held, this member's earlier records included.
    frame.oneofEpoch[oneof] = epoch;
    frame.oneofSlot[oneof] = slot;
    frame.epoch[slot] = -1;
  }
  if (frame.epoch[slot] !== epoch) {
    frame.epoch[slot] = epoch;
    frame.head[slot] = k;
  } else {
    occNext[frame.tail[slot]!] = k;
  }
  frame.tail[slot] = k;
}

function writeFields(plan: MessagePlan, frame: Frame, epoch: number, depth: number): void {
  const fields = plan.fields;
  const items = plan.items;
  let first = true;
  out += '{';
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    let field: FieldPlan;
    if (item >= 0) {
      field = fields[item]!;
    } else {
      const oneof = -item - 1;
      if (frame.oneofEpoch[oneof] !== epoch) continue;
      field = fields[frame.oneofSlot[oneof]!]!;
    }
    const slot = field.slot;
    if (frame.epoch[slot] !== epoch) {
      const unset = field.unsetJson;
      if (unset === undefined) continue;
      out += (first ? field.key : field.keyAfterComma) + unset;
      first = false;
      continue;
    }
    out += first ? field.key : field.keyAfterComma;
    first = false;
    if (field.cardinality === SINGULAR) {
      if (field.kind >= KIND_MESSAGE) writeMessage(field.message(), frame.head[slot]!, false, depth + 1);
      else {
        const k = frame.tail[slot]!;
        writeScalar(field, occStart[k]!, occEnd[k]!);
      }
    } else if (field.cardinality === LIST) {
      writeList(field, frame.head[slot]!, depth);
    } else {
      writeMap(field, frame.head[slot]!, depth);
    }
  }
  out += '}';
}

function writeList(field: FieldPlan, head: number, depth: number): void {
  let first = true;
  out += '[';
  if (field.kind >= KIND_MESSAGE) {
    const plan = field.message();
    for (let k = head; k !== -1; k = occNext[k]!) {
      if (!first) out += ',';
      first = false;
      writeMessage(plan, k, true, depth + 1);
    }
  } else {
    for (let k = head; k !== -1; k = occNext[k]!) {
      let p = occStart[k]!;
      const end = occEnd[k]!;
      if (occWire[k] === WIRE_LEN && field.wireType !== WIRE_LEN) {
        while (p < end) {
          if (!first) out += ',';
          first = false;
          p = writeScalar(field, p, end);
        }
      } else {
        if (!first) out += ',';
        first = false;
        writeScalar(field, p, end);
      }
    }
  }
  out += ']';
}

/** Writes one scalar value read at `p` (for LEN kinds, the content `p..end`); returns the position after it. */
function writeScalar(plan: ValuePlan, p: number, end: number): number {
  switch (plan.kind) {
    case KIND_INT32:
      out += readVarint(p, end) | 0;
      return next;
    case KIND_UINT32:
      out += readVarint(p, end);
      return next;
    case KIND_SINT32: {
      const v = readVarint(p, end);
      out += (v >>> 1) ^ -(v & 1);
      return next;
    }
    case KIND_INT64: {
      const lo = readVarint(p, end);
      out += `"${int64ToDecimal(lo, high, true)}"`;
      return next;
    }
    case KIND_UINT64: {
      const lo = readVarint(p, end);
      out += `"${int64ToDecimal(lo, high, false)}"`;
      return next;
    }
    case KIND_SINT64: {
      const lo = readVarint(p, end);
      const mask = -(lo & 1);
      out += `"${int64ToDecimal(((lo >>> 1) | (high << 31)) ^ mask, (high >>> 1) ^ mask, true)}"`;
      return next;
    }
    case KIND_FIXED32:
      need(p, end, 4);
      out += view.getUint32(p, true);
      return p + 4;
    case KIND_SFIXED32:
      need(p, end, 4);
      out += view.getInt32(p, true);
      return p + 4;
    case KIND_FIXED64:
      need(p, end, 8);
      out += `"${int64ToDecimal(view.getUint32(p, true), view.getUint32(p + 4, true), false)}"`;
      return p + 8;
    case KIND_SFIXED64:
      need(p, end, 8);
      out += `"${int64ToDecimal(view.getUint32(p, true), view.getUint32(p + 4, true), true)}"`;
      return p + 8;
    case KIND_FLOAT:
      need(p, end, 4);
      out += formatFloat(view.getFloat32(p, true));
      return p + 4;
    case KIND_DOUBLE:
      need(p, end, 8);
      out += formatDouble(view.getFloat64(p, true));
      return p + 8;
    case KIND_BOOL: {
      const lo = readVarint(p, end);
      out += lo !== 0 || high !== 0 ? 'true' : 'false';
      return next;
    }
    case KIND_STRING:
      out += jsonStringFromUtf8(buf, p, end);
      return end;
    case KIND_BYTES:
      out += `"${base64Encode(buf.subarray(p, end))}"`;
      return end;
    case KIND_ENUM:
      out += enumJson(plan.enumNames!, readVarint(p, end) | 0);
      return next;
    default:
      throw new JsonEncodeError('unsupported_schema', `no scalar writer for kind ${plan.kind}`);
  }
}

function enumJson(names: EnumNames, value: number): string {
  // Numbers the schema does not name are written as numbers, as protojson does.
  return (value >= 0 && value < names.dense.length ? names.dense[value] : names.sparse.get(value)) ?? String(value);
}

function writeTimestamp(first: number, single: boolean): void {
  let secondsLo = 0;
  let secondsHigh = 0;
  let nanos = 0;
  for (let k = first; k !== -1; k = single ? -1 : occNext[k]!) {
    const end = occEnd[k]!;
    let p = occStart[k]!;
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
  out += formatTimestamp((secondsHigh | 0) * TWO_POW_32 + secondsLo, nanos);
}

interface MapEntry {
  readonly keyJson: string;
  readonly order: string | bigint;
  /** Occurrence chain of the value records (message values merge), or -1 when absent. */
  readonly value: number;
}

function writeMap(field: FieldPlan, head: number, depth: number): void {
  const keyPlan = field.mapKey!;
  const valuePlan = field.mapValue!;
  const savedTop = occTop;
  // Keyed by the key's JSON text: a later entry with the same key replaces the earlier one.
  const entries = new Map<string, MapEntry>();
  for (let k = head; k !== -1; k = occNext[k]!) {
    const entry = readMapEntry(keyPlan, valuePlan, occStart[k]!, occEnd[k]!);
    entries.delete(entry.keyJson);
    entries.set(entry.keyJson, entry);
  }
  // Go writes map entries sorted by key.
  const sorted = [...entries.values()].sort(compareMapEntries);
  out += '{';
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i]!;
    if (i > 0) out += ',';
    out += `${entry.keyJson}:`;
    if (valuePlan.kind >= KIND_MESSAGE) {
      // An entry without a value holds an empty message.
      const value = entry.value === -1 ? pushOccurrence(0, 0, WIRE_LEN) : entry.value;
      writeMessage(valuePlan.message(), value, false, depth + 1);
    } else if (entry.value === -1) {
      out += valuePlan.defaultJson;
    } else {
      writeScalar(valuePlan, occStart[entry.value]!, occEnd[entry.value]!);
    }
  }
  out += '}';
  occTop = savedTop;
}

function readMapEntry(keyPlan: ValuePlan, valuePlan: ValuePlan, start: number, end: number): MapEntry {
  let keyStart = -1;
  let keyEnd = -1;
  let valueHead = -1;
  let valueTail = -1;
  let p = start;
  while (p < end) {
    const tag = readTag(p, end);
    const fieldNumber = tag >>> 3;
    const wireType = tag & 7;
    const valueEnd = skipValue(wireType, next, end, fieldNumber);
    if (fieldNumber === 1 && wireType === keyPlan.wireType) {
      keyStart = valueStart;
      keyEnd = valueEnd;
    } else if (fieldNumber === 2 && wireType === valuePlan.wireType) {
      const k = pushOccurrence(valueStart, valueEnd, wireType);
      if (valuePlan.kind >= KIND_MESSAGE && valueHead !== -1) occNext[valueTail] = k;
      else valueHead = k;
      valueTail = k;
    }
    p = valueEnd;
  }
  if (valueHead !== -1 && valuePlan.kind < KIND_MESSAGE) valueHead = valueTail;
  if (keyStart === -1) {
    return { keyJson: keyPlan.kind === KIND_STRING ? '""' : `"${mapKeyDefault(keyPlan)}"`, order: defaultOrder(keyPlan), value: valueHead };
  }
  if (keyPlan.kind === KIND_STRING) {
    return { keyJson: jsonStringFromUtf8(buf, keyStart, keyEnd), order: decodeUtf8(buf, keyStart, keyEnd), value: valueHead };
  }
  const saved = out;
  out = '';
  writeScalar(keyPlan, keyStart, keyEnd);
  // Integer keys arrive as JSON numbers or quoted 64-bit strings; map keys are always quoted.
  const text = out.startsWith('"') ? out.slice(1, -1) : out;
  out = saved;
  const order = keyPlan.kind === KIND_BOOL ? BigInt(text === 'true' ? 1 : 0) : BigInt(text);
  return { keyJson: `"${text}"`, order, value: valueHead };
}

function mapKeyDefault(keyPlan: ValuePlan): string {
  return keyPlan.kind === KIND_BOOL ? 'false' : '0';
}

function defaultOrder(keyPlan: ValuePlan): string | bigint {
  return keyPlan.kind === KIND_STRING ? '' : 0n;
}

function compareMapEntries(a: MapEntry, b: MapEntry): number {
  if (typeof a.order === 'string' && typeof b.order === 'string') return compareCodePoints(a.order, b.order);
  return a.order < b.order ? -1 : a.order > b.order ? 1 : 0;
}

/** Code point order, which is UTF-8 byte order (Go compares strings bytewise); UTF-16 order is not. */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

// ---- the wire ----

function readTag(p: number, end: number): number {
  const tag = readVarint(p, end);
  const fieldNumber = tag >>> 3;
  if (high !== 0 || fieldNumber === 0 || fieldNumber > MAX_FIELD_NUMBER) invalidTag(fieldNumber);
  return tag;
}

/** Reads a varint at `p`; returns its low 32 bits unsigned, sets `high` and `next`. */
function readVarint(p: number, end: number): number {
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
function skipValue(wireType: number, p: number, end: number, fieldNumber: number): number {
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

function need(p: number, end: number, size: number): void {
  if (end - p < size) truncated();
}

function pushOccurrence(start: number, end: number, wireType: number): number {
  if (occTop === occStart.length) growOccurrences();
  const k = occTop++;
  occStart[k] = start;
  occEnd[k] = end;
  occNext[k] = -1;
  occWire[k] = wireType;
  return k;
}

function growOccurrences(): void {
  const size = occStart.length * 2;
  const grow = <T extends Int32Array | Uint8Array>(from: T, to: T): T => {
    to.set(from);
    return to;
  };
  occStart = grow(occStart, new Int32Array(size));
  occEnd = grow(occEnd, new Int32Array(size));
  occNext = grow(occNext, new Int32Array(size));
  occWire = grow(occWire, new Uint8Array(size));
}

function newFrame(plan: MessagePlan, depth: number): Frame {
  const slots = plan.fields.length;
  const frame: Frame = {
    head: new Int32Array(slots),
    tail: new Int32Array(slots),
    epoch: new Float64Array(slots),
    oneofSlot: new Int32Array(plan.oneofCount),
    oneofEpoch: new Float64Array(plan.oneofCount),
  };
  plan.frames[depth] = frame;
  return frame;
}

function truncated(): never {
  throw new JsonEncodeError('truncated', 'protobuf record runs past the end of its message');
}

function invalidTag(fieldNumber: number): never {
  throw new JsonEncodeError('invalid_tag', `invalid field number ${fieldNumber}`);
}

function tooDeep(): never {
  throw new JsonEncodeError('too_deep', 'messages or groups nested too deeply');
}
