/**
 * Golden frames derived by hand from protocol.md §3 and the placement rules of the official
 * FlatBuffers builders, which the reference server uses:
 * - the buffer is built back to front; the root offset (uint32) comes last, at byte 0;
 * - each [ubyte] vector is written as Go's CreateByteString does: uint32 length, the bytes, a NUL,
 *   with zero padding placed so that the length lands 4-aligned (from the end of the buffer);
 * - a table is its int32 soffset (table position - vtable position) followed by its fields in the
 *   reverse order they were added; its vtable (uint16: vtable size, table size, then one field
 *   offset per slot, relative to the table, 0 = absent) is written right before it; zero scalars
 *   are not written and trailing absent slots are trimmed from the vtable;
 * - the final padding aligns the buffer to its largest scalar (8 with delivered_at, else 4).
 * The same frames, built with the Go builder in the reference's order, gave these exact bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  INCORRECT_MESSAGE_FORMAT,
  MessageType,
  decodeEnvelope,
  encodeAck,
  encodeErrorResponse,
  encodeStreamFrame,
  viewToString,
} from '@fleet-telemetry/codec';
import { officialAck, officialStreamFrame } from './fixtures/official-envelope.js';

const u16 = (value: number) => [value & 0xff, value >>> 8];
const u32 = (value: number) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
const u64 = (value: bigint) => [...u32(Number(value & 0xffffffffn)), ...u32(Number(value >> 32n))];
const text = (value: string) => [...Buffer.from(value, 'latin1')];
const zeros = (count: number) => new Array<number>(count).fill(0);

/** Concatenates the parts, checking that each starts where its comment says. */
function assemble(parts: ReadonlyArray<readonly [start: number, bytes: number[]]>): Uint8Array {
  const out: number[] = [];
  for (const [start, bytes] of parts) {
    expect(out.length, `part starting at ${start}`).toBe(start);
    out.push(...bytes);
  }
  return Uint8Array.from(out);
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

// The envelope's vtable and the head of its table are the same in every frame we write: all five
// fields are present and added in the same order (txid, topic, message_type, message, message_id).
const ENVELOPE_VTABLE = [
  ...u16(14), // vtable size: 2 metadata entries + 5 slots, 2 bytes each
  ...u16(24), // table size: soffset 4 + message_id 4 + message 4 + padding 3 + type 1 + topic 4 + txid 4
  ...u16(20), // slot 0 txid at table + 20
  ...u16(16), // slot 1 topic at table + 16
  ...u16(15), // slot 2 message_type at table + 15
  ...u16(8), // slot 3 message at table + 8
  ...u16(4), // slot 4 message_id at table + 4
];

describe('golden Stream frame', () => {
  // txid "t1", topic "V", message_id "m", created_at 1700000000, sender_id "d.V1", payload 08 01,
  // device_type "d", device_id "V1", delivered_at_epoch_ms 1700000000123.
  const fields = {
    txid: 't1',
    topic: 'V',
    messageId: 'm',
    createdAt: 1_700_000_000,
    senderId: 'd.V1',
    payload: Uint8Array.of(0x08, 0x01),
    deviceType: 'd',
    deviceId: 'V1',
    deliveredAtEpochMs: 1_700_000_000_123n,
  };
  const golden = assemble([
    [0, u32(20)], // root offset: the envelope table is at 20
    [4, zeros(2)], // padding: the 152-byte buffer is a multiple of 8 (delivered_at is a uint64)
    [6, ENVELOPE_VTABLE],
    [20, u32(14)], // envelope soffset: vtable at 20 - 14 = 6
    [24, u32(20)], // message_id -> 24 + 20 = 44
    [28, u32(56)], // message -> 28 + 56 = 84, the Stream table
    [32, zeros(3)], // padding before the uint32 message offset
    [35, [MessageType.Stream]], // message_type = 4
    [36, u32(16)], // topic -> 36 + 16 = 52
    [40, u32(20)], // txid -> 40 + 20 = 60
    [44, [...u32(1), ...text('m'), 0, ...zeros(2)]], // message_id: length 1, "m", NUL, padding
    [52, [...u32(1), ...text('V'), 0, ...zeros(2)]], // topic: length 1, "V", NUL, padding
    [60, [...u32(2), ...text('t1'), 0, ...zeros(1)]], // txid: length 2, "t1", NUL, padding
    [
      68, // Stream vtable
      [
        ...u16(16), // vtable size: 2 + 6 slots
        ...u16(32), // table size: soffset 4, delivered_at 8, five uint32 fields 20
        ...u16(24), // slot 0 created_at at table + 24
        ...u16(28), // slot 1 sender_id at table + 28 (added first, so last in the table)
        ...u16(20), // slot 2 payload at table + 20
        ...u16(16), // slot 3 device_type at table + 16
        ...u16(12), // slot 4 device_id at table + 12
        ...u16(4), // slot 5 delivered_at_epoch_ms at table + 4 (8-aligned: 88)
      ],
    ],
    [84, u32(16)], // Stream soffset: vtable at 84 - 16 = 68
    [88, u64(1_700_000_000_123n)], // delivered_at_epoch_ms
    [96, u32(20)], // device_id -> 96 + 20 = 116
    [100, u32(24)], // device_type -> 100 + 24 = 124
    [104, u32(28)], // payload -> 104 + 28 = 132
    [108, u32(1_700_000_000)], // created_at
    [112, u32(28)], // sender_id -> 112 + 28 = 140
    [116, [...u32(2), ...text('V1'), 0, ...zeros(1)]], // device_id
    [124, [...u32(1), ...text('d'), 0, ...zeros(2)]], // device_type
    [132, [...u32(2), 0x08, 0x01, 0, ...zeros(1)]], // payload
    [140, [...u32(4), ...text('d.V1'), 0, ...zeros(3)]], // sender_id: built first, so last
  ]);

  it('is what encodeStreamFrame writes', () => {
    expect(golden.length).toBe(152);
    expect(hex(encodeStreamFrame(fields))).toBe(hex(golden));
  });

  it('is what the official builder writes in the reference order', () => {
    const official = officialStreamFrame({
      txid: Buffer.from('t1'),
      topic: Buffer.from('V'),
      messageId: Buffer.from('m'),
      createdAt: fields.createdAt,
      senderId: Buffer.from('d.V1'),
      payload: fields.payload,
      deviceType: Buffer.from('d'),
      deviceId: Buffer.from('V1'),
      deliveredAtEpochMs: fields.deliveredAtEpochMs,
    });
    expect(hex(official)).toBe(hex(golden));
  });

  it('decodes to its fields', () => {
    const envelope = decodeEnvelope(golden);
    expect(viewToString(envelope.txid)).toBe('t1');
    expect(viewToString(envelope.topic)).toBe('V');
    expect(viewToString(envelope.messageId)).toBe('m');
    expect(envelope.messageType).toBe(MessageType.Stream);
    const stream = envelope.stream!;
    expect(stream.createdAt).toBe(1_700_000_000);
    expect(viewToString(stream.senderId)).toBe('d.V1');
    expect([...stream.payload]).toEqual([0x08, 0x01]);
    expect(viewToString(stream.deviceType)).toBe('d');
    expect(viewToString(stream.deviceId)).toBe('V1');
    expect(stream.deliveredAtEpochMs).toBe(1_700_000_000_123n);
  });
});

describe('golden ack', () => {
  // txid "t1", topic "V".
  const golden = assemble([
    [0, u32(20)], // root offset: the envelope table is at 20
    [4, zeros(2)], // padding: the 76-byte buffer is a multiple of 4
    [6, ENVELOPE_VTABLE],
    [20, u32(14)], // soffset: vtable at 6
    [24, u32(20)], // message_id -> 44
    [28, u32(40)], // message -> 68, an empty [ubyte] vector (not a StreamAck table)
    [32, zeros(3)], // padding
    [35, [MessageType.StreamAck]], // message_type = 5
    [36, u32(16)], // topic -> 52
    [40, u32(20)], // txid -> 60
    [44, [...u32(0), 0, ...zeros(3)]], // message_id: length 0, NUL, padding
    [52, [...u32(1), ...text('V'), 0, ...zeros(2)]], // topic
    [60, [...u32(2), ...text('t1'), 0, ...zeros(1)]], // txid
    [68, [...u32(0), 0, ...zeros(3)]], // the union value: length 0, NUL, padding; built first, so last
  ]);

  it('is what encodeAck writes, from strings and from bytes', () => {
    expect(golden.length).toBe(76);
    expect(hex(encodeAck('t1', 'V'))).toBe(hex(golden));
    expect(hex(encodeAck(Buffer.from('t1'), Uint8Array.of(0x56)))).toBe(hex(golden));
  });

  it('is what the official builder writes in the reference order', () => {
    expect(hex(officialAck(Buffer.from('t1'), Buffer.from('V')))).toBe(hex(golden));
  });

  it('decodes as a non-Stream envelope', () => {
    const envelope = decodeEnvelope(golden);
    expect(envelope.messageType).toBe(MessageType.StreamAck);
    expect(viewToString(envelope.txid)).toBe('t1');
    expect(viewToString(envelope.topic)).toBe('V');
    expect(envelope.messageId.length).toBe(0);
    expect(envelope.stream).toBeUndefined();
  });
});

describe('golden error response', () => {
  // txid "t1"; topic, message_id and every Stream field but the payload are empty vectors.
  const golden = assemble([
    [0, u32(20)], // root offset
    [4, zeros(2)], // padding: the 160-byte buffer is a multiple of 4
    [6, ENVELOPE_VTABLE],
    [20, u32(14)], // soffset: vtable at 6
    [24, u32(20)], // message_id -> 44
    [28, u32(56)], // message -> 84, the Stream table
    [32, zeros(3)], // padding
    [35, [MessageType.Stream]], // message_type = 4
    [36, u32(16)], // topic -> 52
    [40, u32(20)], // txid -> 60
    [44, [...u32(0), 0, ...zeros(3)]], // message_id: empty
    [52, [...u32(0), 0, ...zeros(3)]], // topic: empty
    [60, [...u32(2), ...text('t1'), 0, ...zeros(3)]], // txid, padded so the vtable below ends at 84
    [
      70, // Stream vtable: created_at and delivered_at are 0, so not written
      [
        ...u16(14), // vtable size: 2 + 5 slots (slot 5 absent and trimmed)
        ...u16(20), // table size: soffset + four offsets
        ...u16(0), // slot 0 created_at absent
        ...u16(16), // slot 1 sender_id
        ...u16(12), // slot 2 payload
        ...u16(8), // slot 3 device_type
        ...u16(4), // slot 4 device_id
      ],
    ],
    [84, u32(14)], // Stream soffset: vtable at 70
    [88, u32(16)], // device_id -> 104
    [92, u32(20)], // device_type -> 112
    [96, u32(24)], // payload -> 120
    [100, u32(52)], // sender_id -> 152
    [104, [...u32(0), 0, ...zeros(3)]], // device_id: empty
    [112, [...u32(0), 0, ...zeros(3)]], // device_type: empty
    [120, [...u32(24), ...text(INCORRECT_MESSAGE_FORMAT), 0, ...zeros(3)]], // payload
    [152, [...u32(0), 0, ...zeros(3)]], // sender_id: empty
  ]);

  it('is what encodeErrorResponse writes', () => {
    expect(golden.length).toBe(160);
    expect(hex(encodeErrorResponse('t1'))).toBe(hex(golden));
  });

  it('is what the official builder writes in the reference order', () => {
    const empty = new Uint8Array(0);
    const official = officialStreamFrame({
      txid: Buffer.from('t1'),
      topic: empty,
      messageId: empty,
      createdAt: 0,
      senderId: empty,
      payload: Buffer.from(INCORRECT_MESSAGE_FORMAT),
      deviceType: empty,
      deviceId: empty,
      deliveredAtEpochMs: 0n,
    });
    expect(hex(official)).toBe(hex(golden));
  });

  it('decodes to a Stream carrying the error text', () => {
    const envelope = decodeEnvelope(golden);
    expect(envelope.topic.length).toBe(0);
    expect(viewToString(envelope.stream!.payload)).toBe('incorrect message format');
    expect(envelope.stream!.createdAt).toBe(0);
    expect(envelope.stream!.deliveredAtEpochMs).toBe(0n);
  });
});
