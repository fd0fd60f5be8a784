import { describe, expect, it } from 'vitest';
import { canonicalUuid, socketIdFromHeader } from '../src/index.js';

const id = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('canonicalUuid', () => {
  it('accepts the spellings Go’s uuid.Parse accepts and returns the canonical form', () => {
    expect(canonicalUuid(id)).toBe(id);
    expect(canonicalUuid(id.toUpperCase())).toBe(id);
    expect(canonicalUuid(`urn:uuid:${id}`)).toBe(id);
    expect(canonicalUuid(`URN:UUID:${id}`)).toBe(id);
    expect(canonicalUuid(`{${id}}`)).toBe(id);
    expect(canonicalUuid(id.replaceAll('-', ''))).toBe(id);
  });

  it('rejects anything else', () => {
    for (const text of ['', 'txid-1', id.slice(1), `${id}0`, id.replace('-', '_'), `(${id})`, id.replace('f', 'g')]) {
      expect(canonicalUuid(text)).toBeUndefined();
    }
  });
});

describe('socketIdFromHeader', () => {
  it('uses the X-TXID header when it is a UUID', () => {
    expect(socketIdFromHeader(id.toUpperCase())).toBe(id);
  });

  it('makes up a random UUID otherwise', () => {
    const first = socketIdFromHeader('not-a-uuid');
    const second = socketIdFromHeader(undefined);
    expect(canonicalUuid(first)).toBe(first);
    expect(canonicalUuid(second)).toBe(second);
    expect(first).not.toBe(second);
  });
});
