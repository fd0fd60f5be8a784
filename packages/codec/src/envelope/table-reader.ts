/**
 * A validating FlatBuffers table reader for the envelope's fixed schema. Unlike the official
 * runtime, it checks every offset and length against the frame before reading, so hostile bytes
 * end in an EnvelopeDecodeError instead of a RangeError or a read past the end. Positions are
 * plain numbers: offsets are at most 2^32, so sums of two stay exact.
 */
import { EMPTY_BYTES, readInt32, readUint16, readUint32, readUint64 } from './bytes.js';
import { EnvelopeDecodeError } from './errors.js';

const UOFFSET_WIDTH = 4;
/** A vtable starts with its own byte size and the table's byte size, both uint16. */
const VTABLE_HEADER_WIDTH = 4;
/** A table starts with the int32 offset to its vtable; fields come after it. */
const TABLE_HEADER_WIDTH = 4;

export interface Table {
  readonly position: number;
  readonly vtable: number;
  readonly vtableSize: number;
  readonly tableSize: number;
}

/** Validates the table header at `position` and its vtable. */
export function openTable(frame: Uint8Array, position: number): Table {
  const frameLength = frame.length;
  if (position + TABLE_HEADER_WIDTH > frameLength) {
    throw new EnvelopeDecodeError('out-of-bounds', `table at ${position} passes the end of a ${frameLength}-byte frame`);
  }
  const vtable = position - readInt32(frame, position);
  if (vtable < 0 || vtable + VTABLE_HEADER_WIDTH > frameLength) {
    throw new EnvelopeDecodeError('bad-vtable', `vtable of the table at ${position} is at ${vtable}, outside the frame`);
  }
  const vtableSize = readUint16(frame, vtable);
  if (vtableSize < VTABLE_HEADER_WIDTH || (vtableSize & 1) !== 0 || vtable + vtableSize > frameLength) {
    throw new EnvelopeDecodeError('bad-vtable', `vtable at ${vtable} declares an impossible size of ${vtableSize} bytes`);
  }
  const tableSize = readUint16(frame, vtable + 2);
  if (tableSize < TABLE_HEADER_WIDTH) {
    throw new EnvelopeDecodeError('bad-vtable', `vtable at ${vtable} declares a ${tableSize}-byte table`);
  }
  if (position + tableSize > frameLength) {
    throw new EnvelopeDecodeError('out-of-bounds', `${tableSize}-byte table at ${position} passes the end of the frame`);
  }
  return { position, vtable, vtableSize, tableSize };
}

/** Absolute position of a field `width` bytes wide, or -1 when the table does not hold it. */
export function fieldPosition(frame: Uint8Array, table: Table, slot: number, width: number): number {
  const entry = VTABLE_HEADER_WIDTH + 2 * slot;
  if (entry + 2 > table.vtableSize) return -1;
  const offset = readUint16(frame, table.vtable + entry);
  if (offset === 0) return -1;
  if (offset < TABLE_HEADER_WIDTH || offset + width > table.tableSize) {
    throw new EnvelopeDecodeError('bad-field', `field ${slot} at offset ${offset} lies outside its ${table.tableSize}-byte table`);
  }
  return table.position + offset;
}

/** The uoffset stored at `at` resolved to an absolute position (the field itself is in bounds). */
export function followOffset(frame: Uint8Array, at: number): number {
  return at + readUint32(frame, at);
}

/** A [ubyte] field as a view into the frame; absent or empty vectors give EMPTY_BYTES. */
export function byteVectorField(frame: Uint8Array, table: Table, slot: number): Uint8Array {
  const at = fieldPosition(frame, table, slot, UOFFSET_WIDTH);
  if (at < 0) return EMPTY_BYTES;
  const vector = followOffset(frame, at);
  if (vector + UOFFSET_WIDTH > frame.length) {
    throw new EnvelopeDecodeError('out-of-bounds', `length of vector field ${slot} at ${vector} passes the end of the frame`);
  }
  const length = readUint32(frame, vector);
  const start = vector + UOFFSET_WIDTH;
  if (start + length > frame.length) {
    throw new EnvelopeDecodeError('out-of-bounds', `${length}-byte vector field ${slot} at ${start} passes the end of the frame`);
  }
  // A view built from the buffer directly is cheaper than subarray(), which goes through the species constructor.
  return length === 0 ? EMPTY_BYTES : new Uint8Array(frame.buffer, frame.byteOffset + start, length);
}

export function uint8Field(frame: Uint8Array, table: Table, slot: number): number {
  const at = fieldPosition(frame, table, slot, 1);
  return at < 0 ? 0 : frame[at]!;
}

export function uint32Field(frame: Uint8Array, table: Table, slot: number): number {
  const at = fieldPosition(frame, table, slot, 4);
  return at < 0 ? 0 : readUint32(frame, at);
}

export function uint64Field(frame: Uint8Array, table: Table, slot: number): bigint {
  const at = fieldPosition(frame, table, slot, 8);
  return at < 0 ? 0n : readUint64(frame, at);
}

/** Position of the table a uoffset field points at, or -1 when the field is absent. */
export function tableField(frame: Uint8Array, table: Table, slot: number): number {
  const at = fieldPosition(frame, table, slot, UOFFSET_WIDTH);
  return at < 0 ? -1 : followOffset(frame, at);
}
