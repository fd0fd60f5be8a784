import { Buffer } from 'node:buffer';
import { varintSize, writeVarint } from './wire.js';

/**
 * Changes to a message's bytes, recorded in ascending, non-overlapping order while scanning it:
 * each replaces `buf[start, end)` with new bytes, or removes it. Applying them copies the
 * untouched ranges as they are, so unknown fields and field order survive.
 *
 * One instance is reused for every message a module transforms (transforms are synchronous):
 * `reset()` first. Replacement bytes are written into a shared scratch area, so recording a
 * change allocates nothing.
 */
export class Splice {
  // Parallel arrays, reused: only the first `count` entries are current.
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Offset of each replacement in `scratch`, or -1 for a removal. */
  private readonly offsets: number[] = [];
  private readonly sizes: number[] = [];
  private count = 0;
  private replacements = 0;
  /** Where replacement bytes are written; grows as needed. */
  scratch = new Uint8Array(1024);
  private scratchUsed = 0;

  reset(): void {
    this.count = 0;
    this.replacements = 0;
    this.scratchUsed = 0;
  }

  /**
   * Replaces `buf[start, end)` with `size` bytes that the caller writes to `scratch` from the
   * returned offset on (read `scratch` after this call: it may have grown).
   */
  replace(start: number, end: number, size: number): number {
    const offset = this.scratchUsed;
    if (offset + size > this.scratch.length) {
      const grown = new Uint8Array(Math.max(2 * this.scratch.length, offset + size));
      grown.set(this.scratch.subarray(0, offset));
      this.scratch = grown;
    }
    this.scratchUsed += size;
    this.push(start, end, offset, size);
    this.replacements++;
    return offset;
  }

  remove(start: number, end: number): void {
    this.push(start, end, -1, 0);
  }

  private push(start: number, end: number, offset: number, size: number): void {
    const index = this.count++;
    this.starts[index] = start;
    this.ends[index] = end;
    this.offsets[index] = offset;
    this.sizes[index] = size;
  }

  /** Whether any range is replaced (removals aside). */
  get hasReplacements(): boolean {
    return this.replacements > 0;
  }

  /**
   * The edited message. Removals are applied only when `applyRemovals`; a length-delimited
   * field with the one-byte tag `appendTag` holding `appendBytes` is added at the end when
   * `appendBytes` is not empty.
   *
   * The result is a Node Buffer (a Uint8Array) from Node's allocation pool: small typed
   * arrays of their own cost several times more to allocate than the whole transform.
   */
  apply(buf: Uint8Array, applyRemovals: boolean, appendTag: number, appendBytes: Uint8Array): Uint8Array {
    const count = this.count;
    let size = buf.length;
    for (let index = 0; index < count; index++) {
      if (this.offsets[index]! < 0 && !applyRemovals) continue;
      size += this.sizes[index]! - (this.ends[index]! - this.starts[index]!);
    }
    const appended = appendBytes.length;
    if (appended > 0) size += 1 + varintSize(appended) + appended;

    const out = Buffer.allocUnsafe(size);
    let from = 0;
    let to = 0;
    for (let index = 0; index < count; index++) {
      const offset = this.offsets[index]!;
      if (offset < 0 && !applyRemovals) continue;
      to = copyBytes(buf, from, this.starts[index]!, out, to);
      if (offset >= 0) to = copyBytes(this.scratch, offset, offset + this.sizes[index]!, out, to);
      from = this.ends[index]!;
    }
    to = copyBytes(buf, from, buf.length, out, to);
    if (appended > 0) {
      out[to++] = appendTag;
      to = writeVarint(out, to, appended);
      copyBytes(appendBytes, 0, appended, out, to);
    }
    return out;
  }
}

/** Copies `source[start, end)` to `target` at `at`; returns the position after it. */
export function copyBytes(source: Uint8Array, start: number, end: number, target: Uint8Array, at: number): number {
  // Short runs are cheaper byte by byte than through a view; a view built from the buffer
  // directly is cheaper than subarray(), which goes through the species constructor.
  if (end - start > 64) {
    target.set(new Uint8Array(source.buffer, source.byteOffset + start, end - start), at);
    return at + end - start;
  }
  for (let index = start; index < end; index++) target[at++] = source[index]!;
  return at;
}

const encoder = new TextEncoder();
let lastText = '';
let lastBytes = new Uint8Array(0);

/**
 * UTF-8 of a string, remembering the last one: a socket sends many records with the same VIN.
 */
export function utf8Of(text: string): Uint8Array {
  if (text !== lastText) {
    lastBytes = encoder.encode(text);
    lastText = text;
  }
  return lastBytes;
}

export function bytesEqual(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array): boolean {
  if (aEnd - aStart !== b.length) return false;
  for (let index = 0; index < b.length; index++) {
    if (a[aStart + index] !== b[index]) return false;
  }
  return true;
}
