import { JsonEncodeError } from './errors.js';

// fatal: invalid UTF-8 is an error, as in Go's protojson; ignoreBOM: a leading U+FEFF is data.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Short ASCII strings are cheaper to build in JavaScript than through a TextDecoder call. */
const SHORT_ASCII = 32;

/**
 * The JSON string literal for UTF-8 bytes. Escapes exactly what Go's protojson escapes: `"`, `\`
 * and the C0 controls (`\b \f \n \r \t`, others as `\u00xx`); everything else is written as is.
 */
export function jsonStringFromUtf8(bytes: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x20 || b >= 0x80 || b === 0x22 || b === 0x5c) break;
    i++;
  }
  if (i === end) {
    if (end - start <= SHORT_ASCII) {
      let text = '"';
      for (let j = start; j < end; j++) text += String.fromCharCode(bytes[j]!);
      return text + '"';
    }
    return `"${utf8.decode(bytes.subarray(start, end))}"`;
  }
  // JSON.stringify escapes the same set as Go, with the same short forms and lower-case hex.
  return JSON.stringify(decodeUtf8(bytes, start, end));
}

export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch {
    throw new JsonEncodeError('invalid_utf8', 'string field is not valid UTF-8');
  }
}
