import { putByte, putBytes } from './output.js';
import { fieldPlanOf, KIND_ENUM, KIND_MESSAGE, LIST, SINGULAR, WIRE_LEN } from './plan.js';
import type { FieldPlan, MessagePlan } from './plan.js';
import { putTimestamp, readTimestamp, startTimestamp, writeScalar } from './values.js';
import { next, readVarint, skipValue, tagAt, valueStart } from './wire.js';
import { MAX_DEPTH } from './merged-writer.js';

/**
 * The one-pass writer for the encoding every protobuf library writes: each field at most once
 * (a repeated field's records together), in declaration order. Then the JSON keys come in the
 * order the records do, and a message can be written as it is read, defaults filled in for the
 * fields it skips over, without recording anything first.
 *
 * Anything else (a field out of order or twice, so values merge or override; a second oneof
 * member; a map, whose entries are sorted) makes it give up on the whole message, so that
 * protobufToJson writes it again with the merged writer, which handles every encoding. It also
 * gives up where the bytes are broken, leaving the error to the merged writer, so that the
 * reason reported does not depend on which writer met it first.
 */

const COMMA = 0x2c;

/** Writes the message `plan` held in `buf[start, end)`; false when the merged writer must do it. */
export function writeStreamedMessage(plan: MessagePlan, start: number, end: number, depth: number): boolean {
  if (depth > MAX_DEPTH || plan.hasMap) return false;
  if (plan.isTimestamp) {
    startTimestamp();
    readTimestamp(start, end);
    putTimestamp();
    return true;
  }
  const fields = plan.fields;
  const items = plan.items;
  /** The next item (field or oneof) to be written. */
  let position = 0;
  /** No field written yet, nor the opening brace, which goes out with the first key. */
  let first = true;
  /** The list whose array is open: its next records add elements. */
  let openList: FieldPlan | undefined = undefined;
  let p = start;
  while (p < end) {
    const tag = tagAt(p, end);
    p = next;
    const fieldNumber = tag >>> 3;
    const wireType = tag & 7;
    if (fieldNumber === 0) return false;
    const valueEnd = skipValue(wireType, p, end, fieldNumber);
    p = valueEnd;
    const field = fieldPlanOf(plan, fieldNumber);
    // Unknown to Go, as is a record whose wire type does not fit the field: skipped.
    if (field === undefined) continue;
    const packed = wireType === WIRE_LEN && field.packable && field.cardinality === LIST;
    if (wireType !== field.wireType && !packed) continue;
    if (field === openList) {
      // The list's elements go on; a record with none (an empty packed one) adds nothing.
      if (packed) writePacked(field, valueStart, valueEnd, false);
      else {
        putByte(COMMA);
        if (!writeValue(field, valueStart, valueEnd, depth)) return false;
      }
      continue;
    }
    if (openList !== undefined) {
      putByte(0x5d);
      openList = undefined;
    }
    const at = field.position;
    // Already written: this record would override or merge with it.
    if (at < position) return false;
    while (position < at) first = writeUnset(fields, items[position++]!, first);
    position = at + 1;
    if (field.kind === KIND_ENUM && field.cardinality === SINGULAR) {
      // Key and name are appended together: enums (the datum keys above all) are common.
      const keyed = field.keyedEnumName(readVarint(valueStart, valueEnd) | 0, first);
      if (keyed !== undefined) {
        putBytes(keyed);
        first = false;
        continue;
      }
    }
    putBytes(first ? field.keyAfterBraceBytes : field.keyAfterCommaBytes);
    first = false;
    if (field.cardinality === LIST) {
      putByte(0x5b);
      openList = field;
      if (packed) writePacked(field, valueStart, valueEnd, true);
      else if (!writeValue(field, valueStart, valueEnd, depth)) return false;
    } else if (!writeValue(field, valueStart, valueEnd, depth)) {
      return false;
    }
  }
  if (openList !== undefined) putByte(0x5d);
  while (position < items.length) first = writeUnset(fields, items[position++]!, first);
  if (first) putByte(0x7b);
  putByte(0x7d);
  return true;
}

/** Writes one value: a scalar or a nested message (false when that gave up). */
function writeValue(field: FieldPlan, start: number, end: number, depth: number): boolean {
  if (field.kind >= KIND_MESSAGE) return writeStreamedMessage(field.message(), start, end, depth + 1);
  writeScalar(field, start, end);
  return true;
}

/** Writes the elements of a packed record, the first of the list when `first`. */
function writePacked(field: FieldPlan, start: number, end: number, first: boolean): void {
  let p = start;
  while (p < end) {
    if (!first) putByte(COMMA);
    first = false;
    p = writeScalar(field, p, end);
  }
}

/** Writes an item that has no record: its default, or nothing (oneofs, optional fields); returns `first`. */
function writeUnset(fields: readonly FieldPlan[], item: number, first: boolean): boolean {
  // An unset oneof writes nothing.
  if (item < 0) return first;
  const field = fields[item]!;
  if (field.unsetJson === undefined) return first;
  putBytes(first ? field.unsetAfterBraceBytes : field.unsetAfterCommaBytes);
  return false;
}
