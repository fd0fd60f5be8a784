import { describe, expect, it } from 'vitest';
import { createTxidPrefix, formatTxid, maxSequence, readSequence, sequenceOffset, writeSequence } from '../src/txid.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const encode = (text: string) => new TextEncoder().encode(text);

describe('txid', () => {
  it('is a version 4 UUID', () => {
    for (let i = 0; i < 50; i++) expect(formatTxid(createTxidPrefix(), i * 7919)).toMatch(uuid);
  });

  it('patches the sequence in place and reads it back', () => {
    const prefix = createTxidPrefix();
    const bytes = encode(formatTxid(prefix, 0));
    for (const sequence of [0, 1, 15, 16, 255, 65_535, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12_345, maxSequence]) {
      writeSequence(bytes, sequenceOffset, sequence);
      expect(new TextDecoder().decode(bytes)).toBe(formatTxid(prefix, sequence));
      expect(readSequence(bytes, encode(prefix))).toBe(sequence);
    }
  });

  it('does not claim ids with another prefix or a malformed sequence', () => {
    const prefix = createTxidPrefix();
    const other = createTxidPrefix();
    expect(readSequence(encode(formatTxid(other, 5)), encode(prefix))).toBe(-1);
    expect(readSequence(encode(`${prefix}00000000000g`), encode(prefix))).toBe(-1);
    expect(readSequence(encode(prefix), encode(prefix))).toBe(-1);
    expect(readSequence(new Uint8Array(0), encode(prefix))).toBe(-1);
  });

  it('draws a different prefix every time', () => {
    const prefixes = new Set(Array.from({ length: 1_000 }, () => createTxidPrefix()));
    expect(prefixes.size).toBe(1_000);
  });
});
