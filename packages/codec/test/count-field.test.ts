import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { countTopLevelField, Field, PayloadSchema, VehicleAlertsSchema } from '../src/index.js';

/** The reference count: protobuf-es's own reader. */
function countWithReader(message: Uint8Array, fieldNo: number): number {
  const reader = new BinaryReader(message);
  let count = 0;
  while (reader.pos < reader.len) {
    const [tagFieldNo, wireType] = reader.tag();
    if (tagFieldNo === fieldNo) count += 1;
    reader.skip(wireType, tagFieldNo);
  }
  return count;
}

const vehicleData = toBinary(
  PayloadSchema,
  create(PayloadSchema, {
    vin: 'VIN1',
    data: [
      { key: Field.VehicleSpeed, value: { value: { case: 'doubleValue', value: 65 } } },
      { key: Field.Odometer, value: { value: { case: 'stringValue', value: '1234.5' } } },
      { key: Field.Gear, value: { value: { case: 'intValue', value: 3 } } },
    ],
  }),
);
const alerts = toBinary(VehicleAlertsSchema, create(VehicleAlertsSchema, { vin: 'VIN1', alerts: [{ name: 'a' }, { name: 'b' }] }));

describe('countTopLevelField', () => {
  it('counts the signals of V and alerts payloads as the protobuf reader does', () => {
    for (const message of [vehicleData, alerts, new Uint8Array(0)]) {
      expect(countTopLevelField(message, 1)).toBe(countWithReader(message, 1));
    }
    expect(countTopLevelField(vehicleData, 1)).toBe(3);
    expect(countTopLevelField(alerts, 1)).toBe(2);
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
    expect(countTopLevelField(message, 1)).toBe(4);
    expect(countTopLevelField(message, 1)).toBe(countWithReader(message, 1));
    expect(countTopLevelField(message, 20_000)).toBe(1);
  });

  it('skips groups whole', () => {
    const writer = new BinaryWriter();
    writer.tag(1, WireType.Varint).int32(5);
    writer.tag(4, WireType.StartGroup);
    writer.tag(1, WireType.Varint).int32(6);
    writer.tag(4, WireType.EndGroup);
    writer.tag(1, WireType.Varint).int32(7);
    const message = writer.finish();
    expect(countTopLevelField(message, 1)).toBe(countWithReader(message, 1));
    expect(countTopLevelField(message, 1)).toBe(2);
  });
});
