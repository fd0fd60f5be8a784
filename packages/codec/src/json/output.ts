import { Buffer, isUtf8 } from 'node:buffer';
import { JsonEncodeError } from './errors.js';

/**
 * The JSON text being written, as UTF-8 bytes in one reusable buffer: appending bytes costs
 * less than growing a string piece by piece, and sinks want bytes in the end anyway. The writer
 * is synchronous, so one buffer serves every call.
 */

const INITIAL_SIZE = 16 * 1024;
/** A buffer grown past this for one huge message is let go afterwards rather than kept. */
const KEEP_AT_MOST = 1024 * 1024;

let out: Buffer = Buffer.allocUnsafeSlow(INITIAL_SIZE);
let pos = 0;

/** Starts a new text. */
export function resetOutput(): void {
  pos = 0;
}

/** Where the next byte goes; `rewindOutput(mark)` drops everything written after it. */
export function outputMark(): number {
  return pos;
}

export function rewindOutput(mark: number): void {
  pos = mark;
}

/** The text written so far as a string. */
export function outputString(): string {
  // UTF-8 decoding of ASCII is a copy; the strings written are validated UTF-8 already.
  const text = out.toString('utf8', 0, pos);
  discardOutput();
  return text;
}

/**
 * Results are carved out of slabs of this size: an ArrayBuffer per record (or per few records,
 * from Node's 8 KiB pool) costs more than writing the record. A slab stays in memory while any
 * record cut from it does, as Node's pool does.
 */
const SLAB_SIZE = 64 * 1024;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/** The text written so far as bytes of their own (a Buffer, which may share its ArrayBuffer). */
export function outputBytes(): Uint8Array {
  const size = pos;
  let bytes: Buffer;
  if (size > SLAB_SIZE / 8) {
    bytes = Buffer.allocUnsafeSlow(size);
  } else {
    if (slabUsed + size > slab.byteLength) {
      slab = new ArrayBuffer(SLAB_SIZE);
      slabUsed = 0;
    }
    bytes = Buffer.from(slab, slabUsed, size);
    // Kept 8-byte aligned, as Node's pool does.
    slabUsed += (size + 7) & ~7;
  }
  out.copy(bytes, 0, 0, size);
  discardOutput();
  return bytes;
}

/** The bytes written since `mark`, as text (ASCII: map keys read back for sorting). */
export function outputSince(mark: number): string {
  return out.toString('latin1', mark, pos);
}

/** Drops the text written so far (and the buffer, when one message made it huge). */
export function discardOutput(): void {
  if (out.length > KEEP_AT_MOST) out = Buffer.allocUnsafeSlow(INITIAL_SIZE);
  pos = 0;
}

/** Makes room for `size` more bytes. */
function reserve(size: number): void {
  if (pos + size <= out.length) return;
  const grown = Buffer.allocUnsafeSlow(Math.max(2 * out.length, pos + size));
  out.copy(grown, 0, 0, pos);
  out = grown;
}

export function putByte(byte: number): void {
  reserve(1);
  out[pos++] = byte;
}

/** From this length on, TypedArray#set copies faster than a loop. */
const SET_FROM = 16;

/** Appends prepared bytes (keys, literals, enum names). */
export function putBytes(bytes: Uint8Array): void {
  const length = bytes.length;
  reserve(length);
  if (length > SET_FROM) {
    out.set(bytes, pos);
    pos += length;
    return;
  }
  // Short keys and names: a loop beats a native set() call on them. Locals, because module
  // variables are read and written through memory on every step.
  const target = out;
  let at = pos;
  for (let i = 0; i < length; i++) target[at++] = bytes[i]!;
  pos = at;
}

/** Appends a string known to be ASCII (numbers, base64, timestamps). */
export function putAscii(text: string): void {
  const length = text.length;
  reserve(length);
  const target = out;
  let at = pos;
  for (let i = 0; i < length; i++) target[at++] = text.charCodeAt(i);
  pos = at;
}

const DIGITS = new Uint8Array(24);

/** Appends a non-negative integer below 2^53 in decimal. */
export function putUnsigned(value: number): void {
  if (value < 10) {
    putByte(48 + value);
    return;
  }
  let count = 0;
  if (value < 0x80000000) {
    // Small-integer arithmetic while it fits.
    let rest = value | 0;
    while (rest !== 0) {
      const quotient = (rest / 10) | 0;
      DIGITS[count++] = 48 + (rest - quotient * 10);
      rest = quotient;
    }
  } else {
    let rest = value;
    while (rest !== 0) {
      const quotient = Math.floor(rest / 10);
      DIGITS[count++] = 48 + (rest - quotient * 10);
      rest = quotient;
    }
  }
  reserve(count);
  while (count > 0) out[pos++] = DIGITS[--count]!;
}

/** Appends a non-negative integer below 2^31 as exactly `width` digits (leading zeros). */
export function putPadded(value: number, width: number): void {
  reserve(width);
  let rest = value | 0;
  for (let i = width - 1; i >= 0; i--) {
    const quotient = (rest / 10) | 0;
    out[pos + i] = 48 + (rest - quotient * 10);
    rest = quotient;
  }
  pos += width;
}

/** Appends an integer of magnitude below 2^53 in decimal. */
export function putInteger(value: number): void {
  if (value < 0) {
    putByte(0x2d);
    putUnsigned(-value);
  } else {
    putUnsigned(value);
  }
}

/** Powers of ten that are exact doubles. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);
/** Decimals of at most 15 significant digits read back as distinct doubles (DBL_DIG). */
const UNIQUE_MANTISSA_BELOW = 1e15;

/**
 * Appends a finite nonzero double as JavaScript (and Go) write it: the shortest decimal that
 * reads back as the same double. Common telemetry values (integers, a few decimals) take a fast
 * path that finds the fewest fraction digits that read back; others go through String().
 */
export function putFiniteDouble(value: number): void {
  const negative = value < 0;
  const magnitude = negative ? -value : value;
  // Fixed notation from 1e-6 on; below, the exponent form comes from String().
  if (magnitude >= 1e-6 && magnitude < UNIQUE_MANTISSA_BELOW) {
    if (Number.isInteger(magnitude)) {
      if (negative) putByte(0x2d);
      putUnsigned(magnitude);
      return;
    }
    for (let digits = 1; digits < POWERS_OF_TEN.length; digits++) {
      const scale = POWERS_OF_TEN[digits]!;
      const mantissa = Math.round(magnitude * scale);
      if (mantissa >= UNIQUE_MANTISSA_BELOW) break;
      // Both operands are exact, so the quotient is the correctly rounded value of the decimal
      // mantissa × 10^-digits: it reads back as `magnitude` exactly when they are equal. With at
      // most 15 significant digits no other decimal of as few digits does, so this is the
      // shortest form, the one String() would give.
      if (mantissa / scale === magnitude) {
        if (negative) putByte(0x2d);
        putFixed(mantissa, digits);
        return;
      }
    }
  }
  putAscii(String(value));
}

/** Appends mantissa × 10^-fractionDigits with exactly that many fraction digits. */
function putFixed(mantissa: number, fractionDigits: number): void {
  let count = 0;
  if (mantissa < 0x80000000) {
    let rest = mantissa | 0;
    while (rest !== 0 || count <= fractionDigits) {
      const quotient = (rest / 10) | 0;
      DIGITS[count++] = 48 + (rest - quotient * 10);
      rest = quotient;
    }
  } else {
    let rest = mantissa;
    while (rest !== 0 || count <= fractionDigits) {
      const quotient = Math.floor(rest / 10);
      DIGITS[count++] = 48 + (rest - quotient * 10);
      rest = quotient;
    }
  }
  reserve(count + 1);
  while (count > 0) {
    if (count === fractionDigits) out[pos++] = 0x2e;
    out[pos++] = DIGITS[--count]!;
  }
}

const HEX = '0123456789abcdef';
/** The short escapes JSON (and Go) use for these control characters; 0 elsewhere. */
const SHORT_ESCAPES = new Uint8Array(0x20);
SHORT_ESCAPES[0x08] = 0x62; // \b
SHORT_ESCAPES[0x09] = 0x74; // \t
SHORT_ESCAPES[0x0a] = 0x6e; // \n
SHORT_ESCAPES[0x0c] = 0x66; // \f
SHORT_ESCAPES[0x0d] = 0x72; // \r

/**
 * Appends UTF-8 `bytes[start, end)` as a JSON string literal, escaping exactly what Go's
 * protojson escapes: `"`, `\` and the C0 controls (`\b \f \n \r \t`, others as `\u00xx`).
 * Everything else, non-ASCII included, is copied as it is, once the bytes are known to be
 * valid UTF-8 (encoded surrogates are not), as Go requires.
 */
export function putJsonString(bytes: Uint8Array, start: number, end: number): void {
  // Room for the worst case, every byte a \u00xx escape.
  reserve(2 + 6 * (end - start));
  out[pos++] = 0x22;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b !== 0x22 && b !== 0x5c) {
      if (b >= 0x80) {
        // Checked once for the rest of the string, which is then copied as it is.
        if (!isUtf8(bytes.subarray(i, end))) invalidUtf8();
        copyRestOfString(bytes, i, end);
        return;
      }
      out[pos++] = b;
    } else {
      putEscape(b);
    }
  }
  out[pos++] = 0x22;
}

function copyRestOfString(bytes: Uint8Array, from: number, end: number): void {
  for (let i = from; i < end; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b !== 0x22 && b !== 0x5c) out[pos++] = b;
    else putEscape(b);
  }
  out[pos++] = 0x22;
}

/** Writes the escape of `"`, `\` or a control character (room reserved by the caller). */
function putEscape(b: number): void {
  out[pos++] = 0x5c;
  if (b === 0x22 || b === 0x5c) {
    out[pos++] = b;
    return;
  }
  const short = SHORT_ESCAPES[b]!;
  if (short !== 0) {
    out[pos++] = short;
    return;
  }
  out[pos++] = 0x75; // u
  out[pos++] = 0x30;
  out[pos++] = 0x30;
  out[pos++] = HEX.charCodeAt(b >> 4);
  out[pos++] = HEX.charCodeAt(b & 15);
}

function invalidUtf8(): never {
  throw new JsonEncodeError('invalid_utf8', 'string field is not valid UTF-8');
}
