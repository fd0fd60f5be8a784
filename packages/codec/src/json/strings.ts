import { JsonEncodeError } from './errors.js';

// fatal: invalid UTF-8 is an error, as in Go's protojson; ignoreBOM: a leading U+FEFF is data.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch {
    throw new JsonEncodeError('invalid_utf8', 'string field is not valid UTF-8');
  }
}
