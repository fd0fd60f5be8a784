import { Layout, type MessageTable } from './schema-table.js';
import {
  WireType,
  decodeError,
  isValidUtf8,
  readLength,
  readTag,
  skipVarint,
  wire,
} from './wire.js';

/**
 * Nesting budget shared by messages and unknown groups, as in protobuf-es
 * (the root message is at depth 1).
 */
export const MAX_DEPTH = 100;

/**
 * Walks the message in `buf[pos, end)` and throws `PayloadDecodeError` unless it decodes as
 * `table`'s message type: well-formed tags and varints, every length within its message,
 * declared fields with the wire type of their type, valid UTF-8 strings, nested messages
 * validated recursively. Unknown fields are skipped (they are kept by whoever copies the bytes).
 */
export function validateMessage(
  table: MessageTable,
  buf: Uint8Array,
  pos: number,
  end: number,
  depth: number,
): void {
  if (depth > MAX_DEPTH) decodeError('too-deep', pos, table.typeName);
  const layouts = table.layouts;
  while (pos < end) {
    const fieldStart = pos;
    pos = readTag(buf, pos, end, table.typeName);
    const fieldNo = wire.fieldNo;
    const layout = fieldNo < layouts.length ? layouts[fieldNo]! : Layout.Unknown;
    pos = skipFieldValue(table, layout, fieldNo, wire.wireType, buf, pos, end, depth, fieldStart);
  }
}

/**
 * Validates and skips the value of one field whose tag ended at `pos`; returns the position
 * after it. `fieldStart` (where the tag began) is only used to report errors.
 */
export function skipFieldValue(
  table: MessageTable,
  layout: number,
  fieldNo: number,
  wireType: number,
  buf: Uint8Array,
  pos: number,
  end: number,
  depth: number,
  fieldStart: number,
): number {
  const name = table.typeName;
  switch (layout) {
    case Layout.Unknown:
      return skipUnknownValue(fieldNo, wireType, buf, pos, end, MAX_DEPTH - depth, name);
    case Layout.Varint:
      if (wireType !== WireType.Varint) break;
      return skipVarint(buf, pos, end, name);
    case Layout.Fixed64:
      if (wireType !== WireType.Fixed64) break;
      return skipFixed(pos, 8, end, name);
    case Layout.Fixed32:
      if (wireType !== WireType.Fixed32) break;
      return skipFixed(pos, 4, end, name);
    case Layout.String: {
      if (wireType !== WireType.LengthDelimited) break;
      const start = readLength(buf, pos, end, name);
      const stop = start + wire.value;
      if (!isValidUtf8(buf, start, stop)) decodeError('invalid-utf8', start, name);
      return stop;
    }
    case Layout.Bytes:
      if (wireType !== WireType.LengthDelimited) break;
      return readLength(buf, pos, end, name) + wire.value;
    case Layout.Message: {
      if (wireType !== WireType.LengthDelimited) break;
      const start = readLength(buf, pos, end, name);
      const stop = start + wire.value;
      validateMessage(table.children[fieldNo]!, buf, start, stop, depth + 1);
      return stop;
    }
    case Layout.RepeatedVarint:
      if (wireType === WireType.Varint) return skipVarint(buf, pos, end, name);
      if (wireType !== WireType.LengthDelimited) break;
      return skipPackedVarints(buf, pos, end, name);
    case Layout.RepeatedFixed64:
      if (wireType === WireType.Fixed64) return skipFixed(pos, 8, end, name);
      if (wireType !== WireType.LengthDelimited) break;
      return skipPackedFixed(buf, pos, 8, end, name);
    case Layout.RepeatedFixed32:
      if (wireType === WireType.Fixed32) return skipFixed(pos, 4, end, name);
      if (wireType !== WireType.LengthDelimited) break;
      return skipPackedFixed(buf, pos, 4, end, name);
  }
  return decodeError('wire-type-mismatch', fieldStart, name);
}

/**
 * Skips the value of an undeclared field. `groupBudget` is how many more groups may nest
 * (a start-group tag with no budget left is rejected).
 */
export function skipUnknownValue(
  fieldNo: number,
  wireType: number,
  buf: Uint8Array,
  pos: number,
  end: number,
  groupBudget: number,
  name: string,
): number {
  switch (wireType) {
    case WireType.Varint:
      return skipVarint(buf, pos, end, name);
    case WireType.Fixed64:
      return skipFixed(pos, 8, end, name);
    case WireType.Fixed32:
      return skipFixed(pos, 4, end, name);
    case WireType.LengthDelimited:
      return readLength(buf, pos, end, name) + wire.value;
    case WireType.StartGroup: {
      if (groupBudget <= 0) decodeError('too-deep', pos, name);
      for (;;) {
        if (pos >= end) decodeError('truncated', pos, name);
        const tagStart = pos;
        pos = readTag(buf, pos, end, name);
        if (wire.wireType === WireType.EndGroup) {
          if (wire.fieldNo !== fieldNo) decodeError('unmatched-group', tagStart, name);
          return pos;
        }
        pos = skipUnknownValue(wire.fieldNo, wire.wireType, buf, pos, end, groupBudget - 1, name);
      }
    }
    default:
      // An end-group tag outside of any group.
      return decodeError('unmatched-group', pos, name);
  }
}

function skipFixed(pos: number, size: number, end: number, name: string): number {
  if (end - pos < size) decodeError('truncated', pos, name);
  return pos + size;
}

function skipPackedVarints(buf: Uint8Array, pos: number, end: number, name: string): number {
  const start = readLength(buf, pos, end, name);
  const stop = start + wire.value;
  for (let at = start; at < stop; ) at = skipVarint(buf, at, stop, name);
  return stop;
}

function skipPackedFixed(buf: Uint8Array, pos: number, size: number, end: number, name: string): number {
  const start = readLength(buf, pos, end, name);
  if (wire.value % size !== 0) decodeError('truncated', start, name);
  return start + wire.value;
}
