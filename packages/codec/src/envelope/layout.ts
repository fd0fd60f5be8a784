/**
 * Where each element of a frame goes, computed the way the official FlatBuffers builders (Go, C++,
 * JS) place them, so our frames are byte for byte what the reference server writes. The builders
 * write back to front; we do the same arithmetic without bytes: every element is identified by
 * its distance from the end of the buffer, and `FrameWriter` turns distances into positions once
 * the total size is known.
 */

const UOFFSET_WIDTH = 4;
const SOFFSET_WIDTH = 4;
const VOFFSET_WIDTH = 2;
/** vtable size and table size come before the field entries. */
const VTABLE_METADATA_ENTRIES = 2;

export interface TablePlacement {
  /** Distance of the table start (its soffset) from the end of the buffer. */
  readonly table: number;
  /** Distance of its vtable; the builders write it right before the table. */
  readonly vtable: number;
  readonly tableSize: number;
  readonly vtableSize: number;
}

export class BackLayout {
  /** Bytes placed so far, i.e. the distance from the end of the element placed last. */
  private placed = 0;
  private largestAlignment = 1;
  private tableEnd = 0;

  /** Pads so that an element of `width` bytes lands aligned once `following` more bytes are placed. */
  private align(width: number, following: number): void {
    if (width > this.largestAlignment) this.largestAlignment = width;
    this.placed += -(this.placed + following) & (width - 1);
  }

  /**
   * A [ubyte] vector of `length` bytes. Go's CreateByteString (what the reference uses) writes a NUL
   * after the bytes, as for strings; so do we. Returns the distance of its length prefix.
   */
  byteVector(length: number): number {
    this.align(UOFFSET_WIDTH, length + 1);
    this.placed += 1 + length + UOFFSET_WIDTH;
    return this.placed;
  }

  startTable(): void {
    this.tableEnd = this.placed;
  }

  /** A scalar or offset field of the open table; returns its distance. */
  field(width: number): number {
    this.align(width, 0);
    this.placed += width;
    return this.placed;
  }

  /** Closes the open table; `vtableEntries` counts its slots up to the last one present. */
  endTable(vtableEntries: number): TablePlacement {
    this.align(SOFFSET_WIDTH, 0);
    this.placed += SOFFSET_WIDTH;
    const table = this.placed;
    const vtableSize = (vtableEntries + VTABLE_METADATA_ENTRIES) * VOFFSET_WIDTH;
    // The table start is 4-aligned, so the 2-byte vtable entries need no padding.
    this.placed += vtableSize;
    return { table, vtable: this.placed, tableSize: table - this.tableEnd, vtableSize };
  }

  /** Places the root offset and returns the size of the whole buffer. */
  finish(): number {
    this.align(this.largestAlignment, UOFFSET_WIDTH);
    this.placed += UOFFSET_WIDTH;
    return this.placed;
  }
}
