import { outputMark, outputSince, putByte, putBytes, putJsonString, rewindOutput } from './output.js';
import { fieldPlanOf, KIND_BOOL, KIND_MESSAGE, KIND_STRING, LIST, SINGULAR, WIRE_LEN } from './plan.js';
import type { FieldPlan, Frame, MessagePlan, ValuePlan } from './plan.js';
import { putTimestamp, readTimestamp, startTimestamp, writeScalar } from './values.js';
import { buf, invalidTag, next, readTag, skipValue, tagAt, tooDeep, valueStart } from './wire.js';
import { decodeUtf8 } from './strings.js';

/**
 * The writer for any encoding protobuf allows: a message is written in two passes over its
 * bytes. The scan records every field occurrence (where its value starts and ends) in a shared
 * occurrence table, chained per field slot; the emit pass then walks the plan's fields in
 * declaration order and formats the values straight from the wire bytes. That gives protojson's
 * key order and defaults, last-value-wins for scalars, and merge semantics for repeated message
 * records (their byte ranges are scanned one after another, which is what merging means in
 * protobuf). The one-pass writer (stream-writer.ts) hands messages it cannot write over to it.
 */

/** Message nesting (only recursive schemas get deep); far deeper than any telemetry schema. */
export const MAX_DEPTH = 100;

const COMMA = 0x2c;
const COLON = 0x3a;

/** The occurrence table: one row per field record met on the wire. */
let occStart = new Int32Array(1024);
let occEnd = new Int32Array(1024);
let occNext = new Int32Array(1024);
let occWire = new Uint8Array(1024);
let occTop = 0;
/** Each message instance gets a fresh epoch, so frames never need clearing (even after a throw). */
let epochCounter = 0;

/** Writes the message of `schema` held in `buf[0, end)`. */
export function writeMergedMessage(plan: MessagePlan, end: number): void {
  occTop = 0;
  writeMessage(plan, pushOccurrence(0, end, WIRE_LEN), true, 0);
}

function writeMessage(plan: MessagePlan, first: number, single: boolean, depth: number): void {
  if (depth > MAX_DEPTH) tooDeep();
  if (plan.isTimestamp) {
    startTimestamp();
    for (let k = first; k !== -1; k = single ? -1 : occNext[k]!) readTimestamp(occStart[k]!, occEnd[k]!);
    putTimestamp();
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
  let p = start;
  while (p < end) {
    const tag = tagAt(p, end);
    p = next;
    const fieldNumber = tag >>> 3;
    const wireType = tag & 7;
    if (fieldNumber === 0) invalidTag(fieldNumber);
    const valueEnd = skipValue(wireType, p, end, fieldNumber);
    const field = fieldPlanOf(plan, fieldNumber);
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
  putByte(0x7b);
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
      if (field.unsetJson === undefined) continue;
      putBytes(first ? field.unsetBytes : field.unsetAfterCommaBytes);
      first = false;
      continue;
    }
    putBytes(first ? field.keyBytes : field.keyAfterCommaBytes);
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
  putByte(0x7d);
}

function writeList(field: FieldPlan, head: number, depth: number): void {
  let first = true;
  putByte(0x5b);
  if (field.kind >= KIND_MESSAGE) {
    const plan = field.message();
    for (let k = head; k !== -1; k = occNext[k]!) {
      if (!first) putByte(COMMA);
      first = false;
      writeMessage(plan, k, true, depth + 1);
    }
  } else {
    for (let k = head; k !== -1; k = occNext[k]!) {
      let p = occStart[k]!;
      const end = occEnd[k]!;
      if (occWire[k] === WIRE_LEN && field.wireType !== WIRE_LEN) {
        while (p < end) {
          if (!first) putByte(COMMA);
          first = false;
          p = writeScalar(field, p, end);
        }
      } else {
        if (!first) putByte(COMMA);
        first = false;
        writeScalar(field, p, end);
      }
    }
  }
  putByte(0x5d);
}

interface MapEntry {
  /** The key as its JSON string literal (UTF-8 bytes of the input, or text for other key kinds). */
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly keyText: string | undefined;
  readonly order: string | bigint;
  /** Occurrence chain of the value records (message values merge), or -1 when absent. */
  readonly value: number;
}

function writeMap(field: FieldPlan, head: number, depth: number): void {
  const keyPlan = field.mapKey!;
  const valuePlan = field.mapValue!;
  const savedTop = occTop;
  // Keyed by the key's value: a later entry with the same key replaces the earlier one.
  const entries = new Map<string | bigint, MapEntry>();
  for (let k = head; k !== -1; k = occNext[k]!) {
    const entry = readMapEntry(keyPlan, valuePlan, occStart[k]!, occEnd[k]!);
    entries.delete(entry.order);
    entries.set(entry.order, entry);
  }
  // Go writes map entries sorted by key.
  const sorted = [...entries.values()].sort(compareMapEntries);
  putByte(0x7b);
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i]!;
    if (i > 0) putByte(COMMA);
    if (entry.keyText !== undefined) putBytes(textBytes(entry.keyText));
    else putJsonString(buf, entry.keyStart, entry.keyEnd);
    putByte(COLON);
    if (valuePlan.kind >= KIND_MESSAGE) {
      // An entry without a value holds an empty message.
      const value = entry.value === -1 ? pushOccurrence(0, 0, WIRE_LEN) : entry.value;
      writeMessage(valuePlan.message(), value, false, depth + 1);
    } else if (entry.value === -1) {
      putBytes(valuePlan.defaultBytes);
    } else {
      writeScalar(valuePlan, occStart[entry.value]!, occEnd[entry.value]!);
    }
  }
  putByte(0x7d);
  occTop = savedTop;
}

const encoder = new TextEncoder();

function textBytes(text: string): Uint8Array {
  return encoder.encode(text);
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
    const isString = keyPlan.kind === KIND_STRING;
    return {
      keyStart: 0,
      keyEnd: 0,
      keyText: isString ? '""' : `"${keyPlan.kind === KIND_BOOL ? 'false' : '0'}"`,
      order: isString ? '' : 0n,
      value: valueHead,
    };
  }
  if (keyPlan.kind === KIND_STRING) {
    // Decoding validates the key; its literal is written from the bytes.
    return { keyStart, keyEnd, keyText: undefined, order: decodeUtf8(buf, keyStart, keyEnd), value: valueHead };
  }
  // Written, read back and taken out again: integer keys come as JSON numbers or quoted 64-bit
  // strings, and map keys are always quoted.
  const mark = outputMark();
  writeScalar(keyPlan, keyStart, keyEnd);
  const written = outputSince(mark);
  rewindOutput(mark);
  const text = written.startsWith('"') ? written.slice(1, -1) : written;
  const order = keyPlan.kind === KIND_BOOL ? BigInt(text === 'true' ? 1 : 0) : BigInt(text);
  return { keyStart: 0, keyEnd: 0, keyText: `"${text}"`, order, value: valueHead };
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
