import { writeUint16, writeUint32, writeUint64 } from './bytes.js';
import type { TablePlacement } from './layout.js';

/**
 * Writes the elements a BackLayout placed into a zero-filled buffer of the final size (so padding
 * needs no writes). Arguments are distances from the end of the buffer, as BackLayout returns them.
 *
 * The buffer comes from Node's Buffer pool: a fresh ArrayBuffer per frame costs several times more
 * than the rest of an ack. Frames may therefore share their ArrayBuffer with other pooled buffers;
 * they are ordinary Uint8Arrays to every consumer that honours byteOffset.
 */
export class FrameWriter {
  readonly bytes: Uint8Array;
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
    this.bytes = Buffer.allocUnsafe(size).fill(0);
  }

  /** The root offset at byte 0. */
  root(table: number): void {
    writeUint32(this.bytes, 0, this.size - table);
  }

  byteVector(vector: number, content: Uint8Array): void {
    const at = this.size - vector;
    writeUint32(this.bytes, at, content.length);
    this.bytes.set(content, at + 4);
  }

  /** A uoffset field pointing forward at `target`. */
  offset(field: number, target: number): void {
    writeUint32(this.bytes, this.size - field, field - target);
  }

  uint8(field: number, value: number): void {
    this.bytes[this.size - field] = value;
  }

  uint32(field: number, value: number): void {
    writeUint32(this.bytes, this.size - field, value);
  }

  uint64(field: number, value: bigint): void {
    writeUint64(this.bytes, this.size - field, value);
  }

  /** The table's soffset and its vtable; `fields` holds each slot's distance, 0 when absent. */
  table(placement: TablePlacement, fields: readonly number[]): void {
    const { table, vtable } = placement;
    // The vtable sits before the table, so the soffset (table - vtable position) is positive.
    writeUint32(this.bytes, this.size - table, vtable - table);
    const at = this.size - vtable;
    writeUint16(this.bytes, at, placement.vtableSize);
    writeUint16(this.bytes, at + 2, placement.tableSize);
    for (let slot = 0; slot < fields.length; slot++) {
      const field = fields[slot]!;
      if (field !== 0) writeUint16(this.bytes, at + 4 + 2 * slot, table - field);
    }
  }
}
