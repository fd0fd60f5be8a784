import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { countField1 } from '../src/connection/record-builder.js';
import { alerts, vehicleData } from './support/frames.js';

/** The reference count: protobuf-es's own reader. */
function countWithReader(message: Uint8Array): number {
  const reader = new BinaryReader(message);
  let count = 0;
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo === 1) count += 1;
    reader.skip(wireType, fieldNo);
  }
  return count;
}

describe('countField1', () => {
  it('counts the signals of V and alerts payloads as the protobuf reader does', () => {
    for (const message of [vehicleData(), alerts(''), new Uint8Array(0)]) {
      expect(countField1(message)).toBe(countWithReader(message));
    }
    expect(countField1(vehicleData())).toBeGreaterThan(0);
  });

  it('skips every wire type, multi-byte tags and lengths included', () => {
    const writer = new BinaryWriter();
    writer.tag(1, WireType.LengthDelimited).bytes(new Uint8Array(300).fill(1));
    writer.tag(2, WireType.Varint).uint64(2n ** 63n);
    writer.tag(1, WireType.Bit64).fixed64(7n);
    writer.tag(3, WireType.Bit32).fixed32(9);
    writer.tag(1, WireType.Varint).int32(-1);
    writer.tag(20_000, WireType.LengthDelimited).string('far field');
    writer.tag(1, WireType.Bit32).float(1.5);
    const message = writer.finish();
    expect(countField1(message)).toBe(4);
    expect(countField1(message)).toBe(countWithReader(message));
  });

  it('hands groups to the protobuf reader', () => {
    const writer = new BinaryWriter();
    writer.tag(1, WireType.Varint).int32(5);
    writer.tag(4, WireType.StartGroup);
    writer.tag(1, WireType.Varint).int32(6);
    writer.tag(4, WireType.EndGroup);
    writer.tag(1, WireType.Varint).int32(7);
    const message = writer.finish();
    expect(countField1(message)).toBe(countWithReader(message));
    expect(countField1(message)).toBe(2);
  });
});
