import { randomBytes } from 'node:crypto';

/**
 * Transaction ids are UUIDs (version 4 layout) whose last 12 hex digits are the vehicle's frame
 * sequence number: `rrrrrrrr-rrrr-4rrr-Nrrr-<sequence>`. The random part (74 bits) is drawn once per
 * vehicle, so ids stay unique across vehicles and runs, and a frame's id is written by patching 12
 * bytes of a pre-encoded frame instead of building a string. Reading the sequence back out of an
 * answer's txid finds the in-flight frame without allocating.
 */
export const txidLength = 36;
export const sequenceDigits = 12;
export const sequenceOffset = txidLength - sequenceDigits;
/** Sequence numbers fit 48 bits (12 hex digits). */
export const maxSequence = 2 ** 48 - 1;

const hexDigits = new TextEncoder().encode('0123456789abcdef');
const twoTo32 = 2 ** 32;

/** A fresh random prefix (the first 24 characters of the UUID, with its dash). */
export function createTxidPrefix(bytes: Uint8Array = randomBytes(10)): string {
  const hex = Buffer.from(bytes.subarray(0, 10)).toString('hex');
  const variant = '89ab'[(bytes[7] ?? 0) & 3];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-${variant}${hex.slice(15, 18)}-`;
}

/** The full txid string for `sequence` (for tests, logs and the first template encode). */
export function formatTxid(prefix: string, sequence: number): string {
  return prefix + sequence.toString(16).padStart(sequenceDigits, '0');
}

/** Writes `sequence` as 12 lowercase hex digits at `offset` of `target`. */
export function writeSequence(target: Uint8Array, offset: number, sequence: number): void {
  let low = sequence % twoTo32 >>> 0;
  let high = Math.floor(sequence / twoTo32);
  for (let i = sequenceDigits - 1; i >= 4; i--) {
    target[offset + i] = hexDigits[low & 0xf] as number;
    low >>>= 4;
  }
  for (let i = 3; i >= 0; i--) {
    target[offset + i] = hexDigits[high & 0xf] as number;
    high >>>= 4;
  }
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * The sequence number in `txid` when it carries this vehicle's `prefix` (its bytes), else -1:
 * an id this vehicle never sent.
 */
export function readSequence(txid: Uint8Array, prefix: Uint8Array): number {
  if (txid.length !== txidLength) return -1;
  for (let i = 0; i < sequenceOffset; i++) if (txid[i] !== prefix[i]) return -1;
  let sequence = 0;
  for (let i = sequenceOffset; i < txidLength; i++) {
    const digit = hexValue(txid[i] as number);
    if (digit < 0) return -1;
    sequence = sequence * 16 + digit;
  }
  return sequence;
}
