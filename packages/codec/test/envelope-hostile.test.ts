/**
 * Malformed frames: hand-made cases for each failure, exhaustive single-byte corruption of real
 * frames, and random or mutated frames from fast-check. In every case decodeEnvelope must either
 * return views that lie within the frame or throw EnvelopeDecodeError with a documented reason.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EnvelopeDecodeError,
  MessageType,
  decodeEnvelope,
  encodeAck,
  encodeErrorResponse,
  encodeStreamFrame,
  viewToString,
  type EnvelopeDecodeErrorReason,
} from '@fleet-telemetry/codec';
import { safeDecodeOutcome } from './fixtures/frame-checks.js';

/** Generous bounds for the bulk tests on a busy machine; they normally take a few seconds. */
const BULK_TIMEOUT_MS = 60_000;

const TXID = '123e4567-e89b-12d3-a456-426614174000';

const streamFrame = encodeStreamFrame({
  txid: TXID,
  topic: 'V',
  messageId: 'msg-1',
  createdAt: 1_700_000_000,
  senderId: 'vehicle_device.5YJ3E1EA7KF000000',
  payload: Uint8Array.from({ length: 40 }, (_, i) => i),
  deviceType: 'vehicle_device',
  deviceId: '5YJ3E1EA7KF000000',
  deliveredAtEpochMs: 1_700_000_000_123n,
});
const ackFrame = encodeAck(TXID, 'V');
const errorFrame = encodeErrorResponse(TXID);

/** Layout facts of every envelope we write (see envelope-golden.test.ts). */
const ROOT_TABLE = 20;
const MESSAGE_TYPE_AT = 35;
const MESSAGE_FIELD_AT = 28;
const TXID_FIELD_AT = 40;

const copy = (frame: Uint8Array) => Uint8Array.from(frame);

function writeU32(frame: Uint8Array, at: number, value: number): void {
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(at, value >>> 0, true);
}

function decodeError(frame: Uint8Array): EnvelopeDecodeError {
  try {
    decodeEnvelope(frame);
  } catch (error) {
    if (error instanceof EnvelopeDecodeError) return error;
    throw error;
  }
  throw new Error('the frame decoded');
}

function expectReason(frame: Uint8Array, reason: EnvelopeDecodeErrorReason): EnvelopeDecodeError {
  const error = decodeError(frame);
  expect(error.reason).toBe(reason);
  expect(error.message).toContain(reason);
  return error;
}

describe('frames too short for a root offset', () => {
  it('rejects the empty frame', () => {
    const error = expectReason(new Uint8Array(0), 'empty');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('EnvelopeDecodeError');
    expect(String(error)).toBe('EnvelopeDecodeError: invalid envelope (empty): the frame has no bytes');
    expect(error.stack).toMatch(/^EnvelopeDecodeError: invalid envelope \(empty\)/);
    expect(error.envelope).toBeUndefined();
  });

  it.each([1, 2, 3])('rejects a %i-byte frame as truncated', (length) => {
    expectReason(new Uint8Array(length).fill(0xff), 'truncated');
  });
});

describe('offsets and sizes that leave the frame', () => {
  it('rejects a root offset past the end', () => {
    const frame = copy(ackFrame);
    writeU32(frame, 0, frame.length);
    expectReason(frame, 'out-of-bounds');
  });

  it('rejects a root offset so close to the end that the table header does not fit', () => {
    const frame = copy(ackFrame);
    writeU32(frame, 0, frame.length - 3);
    expectReason(frame, 'out-of-bounds');
  });

  it.each([0xffffffff, 0x80000000, 0x7fffffff])('rejects a huge root offset 0x%s', (offset) => {
    const frame = copy(streamFrame);
    writeU32(frame, 0, offset);
    expectReason(frame, 'out-of-bounds');
  });

  it('rejects a vtable before the start of the frame', () => {
    const frame = copy(ackFrame);
    writeU32(frame, ROOT_TABLE, ROOT_TABLE + 1); // vtable at -1
    expectReason(frame, 'bad-vtable');
  });

  it('rejects a vtable past the end of the frame (negative soffset)', () => {
    const frame = copy(ackFrame);
    writeU32(frame, ROOT_TABLE, -frame.length);
    expectReason(frame, 'bad-vtable');
  });

  it.each([0x80000000, 0x7fffffff])('rejects a huge soffset 0x%s', (soffset) => {
    const frame = copy(ackFrame);
    writeU32(frame, ROOT_TABLE, soffset);
    expectReason(frame, 'bad-vtable');
  });

  it.each([
    ['odd', 13],
    ['shorter than its header', 2],
    ['past the end', 0xfffe],
  ])('rejects a vtable size that is %s', (_, size) => {
    const frame = copy(ackFrame);
    frame[6] = size & 0xff;
    frame[7] = size >>> 8;
    expectReason(frame, 'bad-vtable');
  });

  it('rejects a table size smaller than the soffset', () => {
    const frame = copy(ackFrame);
    frame[8] = 3;
    frame[9] = 0;
    expectReason(frame, 'bad-vtable');
  });

  it('rejects a table size running past the end', () => {
    const frame = copy(ackFrame);
    frame[8] = 0xff;
    frame[9] = 0xff;
    expectReason(frame, 'out-of-bounds');
  });

  it('rejects a field placed outside its table', () => {
    const frame = copy(ackFrame);
    frame[10] = 22; // txid at table + 22: its 4 bytes would end past the 24-byte table
    expectReason(frame, 'bad-field');
  });

  it('rejects a field overlapping the soffset', () => {
    const frame = copy(ackFrame);
    frame[10] = 2;
    expectReason(frame, 'bad-field');
  });

  it('rejects a vector offset past the end', () => {
    const frame = copy(ackFrame);
    writeU32(frame, TXID_FIELD_AT, frame.length);
    expectReason(frame, 'out-of-bounds');
  });

  it.each([0xffffffff, 0x80000000])('rejects a huge vector offset 0x%s', (offset) => {
    const frame = copy(streamFrame);
    writeU32(frame, TXID_FIELD_AT, offset);
    expectReason(frame, 'out-of-bounds');
  });

  it.each([0xffffffff, 0x80000000, 0x7fffffff])('rejects a vector length 0x%s past the end', (length) => {
    const frame = copy(ackFrame);
    const txidVector = TXID_FIELD_AT + 20 + 0; // txid -> 60 for a 1-byte topic
    writeU32(frame, txidVector, length);
    expectReason(frame, 'out-of-bounds');
  });

  it('rejects a vector length one byte too long', () => {
    const frame = copy(streamFrame);
    const { payload } = decodeEnvelope(frame).stream!;
    const lengthAt = payload.byteOffset - frame.byteOffset - 4;
    writeU32(frame, lengthAt, frame.length - payload.byteOffset + frame.byteOffset + 1);
    expectReason(frame, 'bad-union');
  });

  it('accepts a vector that ends exactly at the end of the frame', () => {
    const frame = copy(streamFrame);
    const { senderId } = decodeEnvelope(frame).stream!;
    const start = senderId.byteOffset - frame.byteOffset;
    writeU32(frame, start - 4, frame.length - start); // sender_id now runs over its NUL and padding
    const stretched = decodeEnvelope(frame).stream!.senderId;
    expect(stretched.length).toBe(frame.length - start);
    expect(stretched.byteOffset + stretched.length).toBe(frame.byteOffset + frame.length);
  });
});

describe('the message union', () => {
  it('decodes message types other than Stream without reading the message', () => {
    for (const messageType of [MessageType.None, MessageType.StreamAck, 1, 3, 6, 0xff]) {
      const frame = copy(ackFrame);
      frame[MESSAGE_TYPE_AT] = messageType;
      writeU32(frame, MESSAGE_FIELD_AT, 0xffffffff); // never followed
      const envelope = decodeEnvelope(frame);
      expect(envelope.messageType).toBe(messageType);
      expect(envelope.stream).toBeUndefined();
      expect(viewToString(envelope.txid)).toBe(TXID);
    }
  });

  it('reads an absent message_type as NONE', () => {
    const frame = copy(ackFrame);
    frame[14] = 0; // slot 2 absent from the vtable
    expect(decodeEnvelope(frame).messageType).toBe(MessageType.None);
  });

  it('rejects message_type Stream whose value is not a table (the ack empty vector), keeping the envelope', () => {
    const frame = copy(ackFrame);
    frame[MESSAGE_TYPE_AT] = MessageType.Stream;
    const error = expectReason(frame, 'bad-union');
    expect(viewToString(error.envelope!.txid)).toBe(TXID);
    expect(viewToString(error.envelope!.topic)).toBe('V');
    expect(error.envelope!.messageType).toBe(MessageType.Stream);
    expect(error.envelope!.stream).toBeUndefined();
  });

  it('rejects message_type Stream whose value points past the end', () => {
    const frame = copy(streamFrame);
    writeU32(frame, MESSAGE_FIELD_AT, 0xfffffff0);
    expectReason(frame, 'bad-union');
  });

  it('rejects message_type Stream without a message, keeping the envelope', () => {
    const frame = copy(streamFrame);
    frame[16] = 0; // slot 3 absent from the vtable
    frame[17] = 0;
    const error = expectReason(frame, 'missing-message');
    expect(viewToString(error.envelope!.txid)).toBe(TXID);
  });

  it('rejects a Stream table whose own fields are broken as bad-union', () => {
    const frame = copy(streamFrame);
    const streamTable = MESSAGE_FIELD_AT + new DataView(frame.buffer).getUint32(MESSAGE_FIELD_AT, true);
    writeU32(frame, streamTable, 0x7fffffff); // the Stream's vtable far outside the frame
    expect(expectReason(frame, 'bad-union').message).toContain('bad-vtable');
  });
});

describe('views into a frame that is itself a view', () => {
  it('reads fields relative to the frame, not to its ArrayBuffer', () => {
    const backing = new Uint8Array(streamFrame.length + 29).fill(0xee);
    backing.set(streamFrame, 13);
    const frame = backing.subarray(13, 13 + streamFrame.length);
    const envelope = decodeEnvelope(frame);
    expect(viewToString(envelope.txid)).toBe(TXID);
    expect([...envelope.stream!.payload]).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(safeDecodeOutcome(frame)).toBe('decoded');
  });

  it('never reads the bytes after the frame', () => {
    const backing = new Uint8Array(ackFrame.length + 64).fill(0xff);
    backing.set(ackFrame, 0);
    const frame = copy(ackFrame);
    writeU32(frame, TXID_FIELD_AT, frame.length - TXID_FIELD_AT); // txid vector right at the end
    backing.set(frame, 0);
    expectReason(backing.subarray(0, frame.length), 'out-of-bounds');
  });
});

describe('exhaustive corruption of real frames', () => {
  // Every byte of every frame set to every value: 99,328 frames.
  it.each([
    ['Stream frame', streamFrame],
    ['ack', ackFrame],
    ['error response', errorFrame],
  ])('every single-byte change of the %s decodes safely', (_, original) => {
    const frame = copy(original);
    const outcomes = { decoded: 0, rejected: 0 };
    for (let at = 0; at < frame.length; at++) {
      const kept = frame[at]!;
      for (let value = 0; value < 256; value++) {
        frame[at] = value;
        try {
          outcomes[safeDecodeOutcome(frame)]++;
        } catch (error) {
          throw new Error(`byte ${at} = ${value}: ${String(error)}`);
        }
      }
      frame[at] = kept;
    }
    expect(outcomes.rejected).toBeGreaterThan(0);
    expect(outcomes.decoded).toBeGreaterThan(0);
  }, BULK_TIMEOUT_MS);

  it.each([
    ['Stream frame', streamFrame],
    ['ack', ackFrame],
    ['error response', errorFrame],
  ])('every truncation of the %s decodes safely', (_, original) => {
    for (let length = 0; length < original.length; length++) {
      const truncated = original.slice(0, length);
      expect(() => safeDecodeOutcome(truncated), `length ${length}`).not.toThrow();
    }
  });
});

describe('random and mutated frames (fast-check)', () => {
  const extremeU32 = fc.constantFrom(0, 1, 3, 4, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff);

  type Mutation =
    | { kind: 'set'; at: number; value: number }
    | { kind: 'flip'; at: number; bit: number }
    | { kind: 'u32'; at: number; value: number }
    | { kind: 'u16'; at: number; value: number }
    | { kind: 'truncate'; length: number }
    | { kind: 'extend'; bytes: Uint8Array }
    | { kind: 'tag'; value: number };

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(extremeU32, fc.nat()) }),
    fc.record({ kind: fc.constant('u16' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 0xffff }) }),
    fc.record({ kind: fc.constant('truncate' as const), length: fc.nat() }),
    fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('tag' as const), value: fc.integer({ min: 0, max: 255 }) }),
  );

  function mutate(original: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
    let frame = copy(original);
    for (const change of mutations) {
      if (frame.length === 0) break;
      switch (change.kind) {
        case 'set':
          frame[change.at % frame.length] = change.value;
          break;
        case 'flip':
          frame[change.at % frame.length]! ^= 1 << change.bit;
          break;
        case 'u32':
        case 'u16': {
          const width = change.kind === 'u32' ? 4 : 2;
          if (frame.length < width) break;
          const at = change.at % (frame.length - width + 1);
          for (let i = 0; i < width; i++) frame[at + i] = (change.value >>> (8 * i)) & 0xff;
          break;
        }
        case 'truncate':
          frame = frame.slice(0, change.length % frame.length);
          break;
        case 'extend': {
          const longer = new Uint8Array(frame.length + change.bytes.length);
          longer.set(frame, 0);
          longer.set(change.bytes, frame.length);
          frame = longer;
          break;
        }
        case 'tag':
          if (frame.length > MESSAGE_TYPE_AT) frame[MESSAGE_TYPE_AT] = change.value;
          break;
      }
    }
    return frame;
  }

  // A fixed pool of valid frames keeps generation cheap: fast-check spends its time on mutations.
  const validFrames: readonly Uint8Array[] = [
    streamFrame,
    ackFrame,
    errorFrame,
    ...fc.sample(
      fc
        .record({
          txid: fc.uint8Array({ maxLength: 40 }),
          topic: fc.uint8Array({ maxLength: 12 }),
          payload: fc.uint8Array({ maxLength: 64 }),
          senderId: fc.uint8Array({ maxLength: 20 }),
          createdAt: fc.nat(),
          deliveredAtEpochMs: fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
        })
        .map((fields) => encodeStreamFrame(fields)),
      { numRuns: 60, seed: 7 },
    ),
    ...fc.sample(
      fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 12 })).map(([txid, topic]) => encodeAck(txid, topic)),
      { numRuns: 30, seed: 11 },
    ),
  ];
  const validFrame = fc.constantFrom(...validFrames);

  function assertSafe(frame: Uint8Array): void {
    safeDecodeOutcome(frame);
  }

  it('random bytes of random lengths decode safely (20,000 frames)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (frame) => assertSafe(frame)),
      { numRuns: 20_000 },
    );
  }, BULK_TIMEOUT_MS);

  it('random bytes behind a plausible root offset decode safely (10,000 frames)', () => {
    // Random tails rarely hold a table header at a random root offset; pointing the root at a
    // small position inside the frame reaches the vtable and field checks far more often.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 }), fc.uint8Array({ minLength: 4, maxLength: 120 }), (root, frame) => {
        writeU32(frame, 0, root);
        assertSafe(frame);
      }),
      { numRuns: 10_000 },
    );
  }, BULK_TIMEOUT_MS);

  it('mutated valid frames decode safely (25,000 frames)', () => {
    fc.assert(
      fc.property(validFrame, fc.array(mutation, { minLength: 1, maxLength: 4 }), (frame, mutations) =>
        assertSafe(mutate(frame, mutations)),
      ),
      { numRuns: 25_000 },
    );
  }, BULK_TIMEOUT_MS);
});
