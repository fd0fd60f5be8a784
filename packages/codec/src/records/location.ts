import { EXACT_POWERS_OF_TEN, ldexp } from './binary-float.js';
import { parseGoFloat64, parseGoInt } from './go-float.js';

export interface ParsedLocation {
  latitude: number;
  longitude: number;
}

/**
 * Parses a location string such as `(37.412374 S, 122.145867 E)` exactly as the reference does
 * with Go's `fmt.Sscanf(s, "(%f %1s, %f %1s)", ...)`: same spacing rules, same float syntax,
 * anything after the closing parenthesis ignored; then the hemisphere letters must be N/S and
 * E/W, and S and W negate. `undefined` when the reference would keep the string.
 */
export function parseLocation(text: string): ParsedLocation | undefined {
  const input = new FormatScanner(text);
  if (!input.literal(0x28 /* ( */)) return undefined;
  const latitude = input.float();
  if (latitude === undefined || !input.separator()) return undefined;
  const latitudeHemisphere = input.letter();
  if (latitudeHemisphere === undefined || !input.literal(0x2c /* , */) || !input.separator()) return undefined;
  const longitude = input.float();
  if (longitude === undefined || !input.separator()) return undefined;
  const longitudeHemisphere = input.letter();
  if (longitudeHemisphere === undefined || !input.literal(0x29 /* ) */)) return undefined;
  if (latitudeHemisphere !== 'N' && latitudeHemisphere !== 'S') return undefined;
  if (longitudeHemisphere !== 'E' && longitudeHemisphere !== 'W') return undefined;
  return {
    latitude: latitudeHemisphere === 'S' ? -latitude : latitude,
    longitude: longitudeHemisphere === 'W' ? -longitude : longitude,
  };
}

/**
 * `parseLocation` of the UTF-8 bytes `buf[start, end)`. The form vehicles send,
 * `(<digits>.<digits> <N|S>, <digits>.<digits> <E|W>)`, is read straight from the bytes when
 * its numbers convert exactly (up to 15 significant digits); any other text takes the
 * general path.
 */
export function parseLocationBytes(buf: Uint8Array, start: number, end: number): ParsedLocation | undefined {
  cursor = start;
  if (end - start < 13 || buf[cursor++] !== 0x28 /* ( */) return parseLocation(textOf(buf, start, end));
  const latitude = plainDecimal(buf, end);
  const latitudeHemisphere = buf[cursor + 1];
  if (
    Number.isNaN(latitude) ||
    cursor + 5 > end ||
    buf[cursor] !== 0x20 ||
    (latitudeHemisphere !== 0x4e /* N */ && latitudeHemisphere !== 0x53) /* S */ ||
    buf[cursor + 2] !== 0x2c /* , */ ||
    buf[cursor + 3] !== 0x20
  ) {
    return parseLocation(textOf(buf, start, end));
  }
  cursor += 4;
  const longitude = plainDecimal(buf, end);
  const longitudeHemisphere = buf[cursor + 1];
  if (
    Number.isNaN(longitude) ||
    cursor + 3 > end ||
    buf[cursor] !== 0x20 ||
    (longitudeHemisphere !== 0x45 /* E */ && longitudeHemisphere !== 0x57) /* W */ ||
    buf[cursor + 2] !== 0x29 /* ) */
  ) {
    return parseLocation(textOf(buf, start, end));
  }
  // What follows the closing parenthesis does not matter, as in the reference.
  return {
    latitude: latitudeHemisphere === 0x53 ? -latitude : latitude,
    longitude: longitudeHemisphere === 0x57 ? -longitude : longitude,
  };
}

let cursor = 0;

/** `<digits>.<digits>` at `cursor` as the nearest float64, or NaN when not that simple. */
function plainDecimal(buf: Uint8Array, end: number): number {
  let mantissa = 0;
  let significant = 0;
  let integerDigits = 0;
  let fractionDigits = 0;
  let inFraction = false;
  for (; cursor < end; cursor++) {
    const byte = buf[cursor]!;
    if (byte === 0x2e /* . */ && !inFraction) {
      inFraction = true;
      continue;
    }
    if (byte < 0x30 || byte > 0x39) break;
    if (inFraction) fractionDigits++;
    else integerDigits++;
    if (mantissa > 0 || byte !== 0x30) {
      if (++significant > 15) return NaN;
      mantissa = mantissa * 10 + (byte - 0x30);
    }
  }
  if (integerDigits === 0 || fractionDigits === 0 || fractionDigits > 22) return NaN;
  // An integer below 2^53 divided by an exact power of ten: one correctly rounded operation.
  return mantissa / EXACT_POWERS_OF_TEN[fractionDigits]!;
}

const textDecoder = new TextDecoder();

function textOf(buf: Uint8Array, start: number, end: number): string {
  return textDecoder.decode(buf.subarray(start, end));
}

const END = -1;
const NEWLINE = 0x0a;

/** Go's `unicode.White_Space`, which is what `fmt` scanning treats as space. */
function isSpace(codePoint: number): boolean {
  return (
    (codePoint >= 0x09 && codePoint <= 0x0d) ||
    codePoint === 0x20 ||
    codePoint === 0x85 ||
    codePoint === 0xa0 ||
    codePoint === 0x1680 ||
    (codePoint >= 0x2000 && codePoint <= 0x200a) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029 ||
    codePoint === 0x202f ||
    codePoint === 0x205f ||
    codePoint === 0x3000
  );
}

/** The parts of Go's `fmt` scanf state machine that this one format uses (no newlines allowed). */
class FormatScanner {
  private position = 0;

  constructor(private readonly text: string) {}

  private peek(): number {
    return this.position < this.text.length ? this.text.codePointAt(this.position)! : END;
  }

  private advance(codePoint: number): void {
    this.position += codePoint > 0xffff ? 2 : 1;
  }

  /** A literal character of the format must be the next input character. */
  literal(expected: number): boolean {
    if (this.peek() !== expected) return false;
    this.advance(expected);
    return true;
  }

  /**
   * A lone space in the format: at least one (non-newline) space in the input, or its end
   * (the verb after it then fails), then as many spaces as there are.
   */
  separator(): boolean {
    let next = this.peek();
    if (next === END) return true;
    if (!isSpace(next) || next === NEWLINE) return false;
    while (isSpace(next) && next !== NEWLINE) {
      this.advance(next);
      next = this.peek();
    }
    return true;
  }

  /** Verbs skip leading spaces first; in `Sscanf` a newline there is an error. */
  private skipSpaces(): boolean {
    for (let next = this.peek(); isSpace(next); next = this.peek()) {
      if (next === NEWLINE) return false;
      this.advance(next);
    }
    return true;
  }

  /** `%1s`: one non-space character. */
  letter(): string | undefined {
    if (!this.skipSpaces()) return undefined;
    const next = this.peek();
    if (next === END) return undefined;
    this.advance(next);
    return String.fromCodePoint(next);
  }

  /** `%f` into a float64: Go's float token, then its conversion. */
  float(): number | undefined {
    if (!this.skipSpaces() || this.peek() === END) return undefined;
    return convertFloat(this.floatToken());
  }

  private accept(allowed: string): boolean {
    const next = this.peek();
    if (next === END || next > 0x7f || !allowed.includes(String.fromCharCode(next))) return false;
    this.advance(next);
    return true;
  }

  /** Greedy and loose, like Go's: the conversion decides whether the token is a number. */
  private floatToken(): string {
    const start = this.position;
    const token = () => this.text.slice(start, this.position);
    if (this.accept('nN') && this.accept('aA') && this.accept('nN')) return token();
    this.accept('+-');
    if (this.accept('iI') && this.accept('nN') && this.accept('fF')) return token();
    let digits = '0123456789_';
    let exponent = 'eEpP';
    if (this.accept('0') && this.accept('xX')) {
      digits = '0123456789aAbBcCdDeEfF_';
      exponent = 'pP';
    }
    while (this.accept(digits));
    if (this.accept('.')) while (this.accept(digits));
    if (this.accept(exponent)) {
      this.accept('+-');
      while (this.accept('0123456789_'));
    }
    return token();
  }
}

/** Go's `fmt` float conversion: a decimal mantissa may carry a binary `p` exponent. */
function convertFloat(token: string): number | undefined {
  const binaryExponentAt = token.indexOf('p');
  if (binaryExponentAt < 0 || /[xX]/.test(token)) return parseGoFloat64(token);
  const mantissa = parseGoFloat64(token.slice(0, binaryExponentAt));
  const exponent = parseGoInt(token.slice(binaryExponentAt + 1));
  if (mantissa === undefined || exponent === undefined) return undefined;
  return ldexp(mantissa, exponent);
}
