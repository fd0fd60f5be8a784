import { describe, expect, it } from 'vitest';
import { INCORRECT_MESSAGE_FORMAT, MessageType, viewToString } from '@fleet-telemetry/codec';

describe('viewToString', () => {
  it('reads short and long ASCII', () => {
    expect(viewToString(new Uint8Array(0))).toBe('');
    expect(viewToString(Buffer.from('V'))).toBe('V');
    const long = 'vehicle_device.5YJ3E1EA7KF000000/'.repeat(5);
    expect(viewToString(Buffer.from(long))).toBe(long);
  });

  it('reads UTF-8 in short and long views', () => {
    expect(viewToString(Buffer.from('txid-é✓'))).toBe('txid-é✓');
    const long = 'é✓'.repeat(40);
    expect(viewToString(Buffer.from(long))).toBe(long);
  });

  it('replaces invalid UTF-8 with U+FFFD', () => {
    expect(viewToString(Uint8Array.of(0x61, 0xff, 0x62))).toBe('a\ufffdb');
    expect(viewToString(Uint8Array.of(0xc3))).toBe('\ufffd');
  });

  it('maps every byte to one character in latin1', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = viewToString(bytes, 'latin1');
    expect(text.length).toBe(256);
    expect([...text].map((char) => char.charCodeAt(0))).toEqual([...bytes]);
    expect(viewToString(Uint8Array.of(0x61, 0xe9), 'latin1')).toBe('aé');
  });

  it('reads a view at an offset of its buffer', () => {
    const backing = Buffer.from('xxhello, worldyy');
    expect(viewToString(new Uint8Array(backing.buffer, backing.byteOffset + 2, 12))).toBe('hello, world');
    const long = Buffer.from(`--${'z'.repeat(100)}--`);
    expect(viewToString(long.subarray(2, 102))).toBe('z'.repeat(100));
  });
});

describe('schema constants', () => {
  it('match the reference wire values', () => {
    expect(MessageType).toEqual({ None: 0, Stream: 4, StreamAck: 5 });
    expect(INCORRECT_MESSAGE_FORMAT).toBe('incorrect message format');
  });
});
