/** Text and little-endian helpers shared by the envelope reader and writer. */

/** The view returned for absent and empty vectors: one shared instance instead of a subarray each. */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** Below this length a plain loop beats crossing into native code to build or scan a string. */
const SHORT_TEXT = 64;

const utf8Encoder = new TextEncoder();

/** Field values are either bytes (taken as they are) or text (encoded as UTF-8). */
export type BytesLike = string | Uint8Array;

/** UTF-8 bytes of `value`; a Uint8Array is returned as is, without a copy. */
export function toBytes(value: BytesLike): Uint8Array {
  if (typeof value !== 'string') return value;
  const length = value.length;
  if (length === 0) return EMPTY_BYTES;
  if (length <= SHORT_TEXT) {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      // Anything beyond ASCII takes more than one UTF-8 byte: let the encoder handle the string.
      if (code > 0x7f) return utf8Encoder.encode(value);
      bytes[i] = code;
    }
    return bytes;
  }
  return utf8Encoder.encode(value);
}

/**
 * Writes bytes, or a string whose characters are all ASCII, at `at`. Returns false, having written
 * part of it, when the string holds a non-ASCII character: its UTF-8 form is longer than it is.
 */
export function writeAsciiOrBytes(out: Uint8Array, at: number, value: BytesLike): boolean {
  if (typeof value !== 'string') {
    out.set(value, at);
    return true;
  }
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0x7f) return false;
    out[at + i] = code;
  }
  return true;
}

/** Which text encoding `viewToString` reads. */
export type ViewEncoding = 'utf8' | 'latin1';

/**
 * Reads a view (txid, topic, sender id, ...) as text. UTF-8 by default, with U+FFFD for invalid
 * sequences; `latin1` maps every byte to one character. Short ASCII, the usual case for txids and
 * topics, is decoded in JavaScript without a native call.
 */
export function viewToString(view: Uint8Array, encoding: ViewEncoding = 'utf8'): string {
  const length = view.length;
  if (length === 0) return '';
  if (length <= SHORT_TEXT) {
    let text = '';
    for (let i = 0; i < length; i++) {
      const byte = view[i]!;
      if (byte > 0x7f && encoding === 'utf8') return nativeDecode(view, encoding);
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return nativeDecode(view, encoding);
}

function nativeDecode(view: Uint8Array, encoding: ViewEncoding): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString(encoding);
}

export function readUint16(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

export function readUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

export function readInt32(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

export function readUint64(bytes: Uint8Array, at: number): bigint {
  const low = readUint32(bytes, at);
  const high = readUint32(bytes, at + 4);
  if (high === 0) return BigInt(low);
  return (BigInt(high) << 32n) | BigInt(low);
}

export function writeUint16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value;
  bytes[at + 1] = value >>> 8;
}

export function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value;
  bytes[at + 1] = value >>> 8;
  bytes[at + 2] = value >>> 16;
  bytes[at + 3] = value >>> 24;
}

export function writeUint64(bytes: Uint8Array, at: number, value: bigint): void {
  writeUint32(bytes, at, Number(value & 0xffffffffn));
  writeUint32(bytes, at + 4, Number(value >> 32n));
}
