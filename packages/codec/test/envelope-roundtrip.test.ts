/**
 * Round trips through our encoder and decoder, and interoperability with the official FlatBuffers
 * runtime in both directions: its Builder (in the reference server's order) writes the same bytes
 * as our encoders, its Table API reads our frames, and our decoder reads what its Builder writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MessageType,
  decodeEnvelope,
  encodeAck,
  encodeErrorResponse,
  encodeStreamFrame,
  viewToString,
  type EnvelopeView,
} from '@fleet-telemetry/codec';
import {
  OfficialEnvelope,
  officialAck,
  officialSparseStreamFrame,
  officialStreamFrame,
  type OfficialStreamFields,
} from './fixtures/official-envelope.js';
import { safeDecodeOutcome } from './fixtures/frame-checks.js';

/** Property tests take a few seconds; the bound only guards against a busy machine. */
const PROPERTY_TIMEOUT_MS = 60_000;

const hex = (bytes: Uint8Array | null) => (bytes === null ? 'null' : Buffer.from(bytes).toString('hex'));

const streamFields: fc.Arbitrary<OfficialStreamFields> = fc.record({
  txid: fc.uint8Array({ maxLength: 48 }),
  topic: fc.uint8Array({ maxLength: 16 }),
  messageId: fc.uint8Array({ maxLength: 16 }),
  createdAt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
  senderId: fc.uint8Array({ maxLength: 40 }),
  payload: fc.uint8Array({ maxLength: 512 }),
  deviceType: fc.uint8Array({ maxLength: 24 }),
  deviceId: fc.uint8Array({ maxLength: 24 }),
  deliveredAtEpochMs: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 0xffffffffffffffffn })),
});

function expectStreamFields(view: EnvelopeView, fields: OfficialStreamFields): void {
  expect(hex(view.txid)).toBe(hex(fields.txid));
  expect(hex(view.topic)).toBe(hex(fields.topic));
  expect(hex(view.messageId)).toBe(hex(fields.messageId));
  expect(view.messageType).toBe(MessageType.Stream);
  const stream = view.stream!;
  expect(stream.createdAt).toBe(fields.createdAt);
  expect(hex(stream.senderId)).toBe(hex(fields.senderId));
  expect(hex(stream.payload)).toBe(hex(fields.payload));
  expect(hex(stream.deviceType)).toBe(hex(fields.deviceType));
  expect(hex(stream.deviceId)).toBe(hex(fields.deviceId));
  expect(stream.deliveredAtEpochMs).toBe(fields.deliveredAtEpochMs);
}

describe('Stream frames', () => {
  it('round-trip random fields, byte for byte what the official builder writes', () => {
    fc.assert(
      fc.property(streamFields, (fields) => {
        const frame = encodeStreamFrame(fields);
        expect(hex(frame)).toBe(hex(officialStreamFrame(fields)));
        expectStreamFields(decodeEnvelope(frame), fields);
        expect(safeDecodeOutcome(frame)).toBe('decoded');
      }),
      { numRuns: 800 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('are read by the official runtime', () => {
    fc.assert(
      fc.property(streamFields, (fields) => {
        const envelope = OfficialEnvelope.root(encodeStreamFrame(fields));
        expect(hex(envelope.txid())).toBe(hex(fields.txid));
        expect(hex(envelope.topic())).toBe(hex(fields.topic));
        expect(hex(envelope.messageId())).toBe(hex(fields.messageId));
        expect(envelope.messageType()).toBe(MessageType.Stream);
        const stream = envelope.stream()!;
        expect(stream.createdAt()).toBe(fields.createdAt);
        expect(hex(stream.senderId())).toBe(hex(fields.senderId));
        expect(hex(stream.payload())).toBe(hex(fields.payload));
        expect(hex(stream.deviceType())).toBe(hex(fields.deviceType));
        expect(hex(stream.deviceId())).toBe(hex(fields.deviceId));
        expect(stream.deliveredAtEpochMs()).toBe(fields.deliveredAtEpochMs);
      }),
      { numRuns: 500 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('from a sparse writer (absent fields, no NUL terminators) decode with empty defaults', () => {
    const frame = officialSparseStreamFrame(Buffer.from('tx-9'), Buffer.from('alerts'), Uint8Array.of(1, 2, 3));
    const envelope = decodeEnvelope(frame);
    expect(viewToString(envelope.txid)).toBe('tx-9');
    expect(viewToString(envelope.topic)).toBe('alerts');
    expect(envelope.messageId.length).toBe(0);
    const stream = envelope.stream!;
    expect([...stream.payload]).toEqual([1, 2, 3]);
    expect(stream.createdAt).toBe(0);
    expect(stream.senderId.length).toBe(0);
    expect(stream.deviceType.length).toBe(0);
    expect(stream.deviceId.length).toBe(0);
    expect(stream.deliveredAtEpochMs).toBe(0n);
  });

  it('write text fields as UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), (txid, topic) => {
        const envelope = decodeEnvelope(encodeStreamFrame({ txid, topic, payload: 'p', senderId: topic }));
        expect(hex(envelope.txid)).toBe(hex(Buffer.from(txid, 'utf8')));
        expect(hex(envelope.topic)).toBe(hex(Buffer.from(topic, 'utf8')));
        expect(viewToString(envelope.txid)).toBe(txid);
        expect(hex(envelope.stream!.senderId)).toBe(hex(Buffer.from(topic, 'utf8')));
      }),
      { numRuns: 500 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('take bytes as they are, including views into larger buffers', () => {
    const backing = Uint8Array.from({ length: 64 }, (_, i) => i);
    const payload = backing.subarray(10, 20);
    const envelope = decodeEnvelope(encodeStreamFrame({ txid: backing.subarray(0, 3), topic: 'V', payload }));
    expect([...envelope.txid]).toEqual([0, 1, 2]);
    expect([...envelope.stream!.payload]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('accept delivered-at as a number', () => {
    const frame = encodeStreamFrame({ txid: 't', topic: 'V', payload: '', deliveredAtEpochMs: 1_700_000_000_123 });
    expect(decodeEnvelope(frame).stream!.deliveredAtEpochMs).toBe(1_700_000_000_123n);
  });

  it.each([
    ['negative created-at', { createdAt: -1 }],
    ['created-at beyond uint32', { createdAt: 2 ** 32 }],
    ['fractional created-at', { createdAt: 1.5 }],
    ['negative delivered-at', { deliveredAtEpochMs: -1n }],
    ['delivered-at beyond uint64', { deliveredAtEpochMs: 2n ** 64n }],
    ['unsafe delivered-at number', { deliveredAtEpochMs: 2 ** 60 }],
  ])('reject %s', (_, invalid) => {
    expect(() => encodeStreamFrame({ txid: 't', topic: 'V', payload: '', ...invalid })).toThrow(RangeError);
  });
});

describe('acks', () => {
  const text = fc.oneof(fc.string({ maxLength: 48 }), fc.string({ unit: 'binary', maxLength: 16 }));
  const bytes = fc.uint8Array({ maxLength: 80 });

  it('are byte for byte what the official builder writes, from bytes or text', () => {
    fc.assert(
      fc.property(fc.oneof(text, bytes), fc.oneof(text, bytes), (txid, topic) => {
        const asBytes = (value: string | Uint8Array) => (typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
        expect(hex(encodeAck(txid, topic))).toBe(hex(officialAck(asBytes(txid), asBytes(topic))));
      }),
      { numRuns: 2_000 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('are read by the official runtime: StreamAck with an empty vector as the message', () => {
    const envelope = OfficialEnvelope.root(encodeAck('8f0d2f0e-8d55-4f0e-9a43-3c1e4a3d2b10', 'connectivity'));
    expect(viewToString(envelope.txid()!)).toBe('8f0d2f0e-8d55-4f0e-9a43-3c1e4a3d2b10');
    expect(viewToString(envelope.topic()!)).toBe('connectivity');
    expect(envelope.messageType()).toBe(MessageType.StreamAck);
    expect(envelope.messageAsVector()!.length).toBe(0);
    expect(envelope.messageId()!.length).toBe(0);
  });

  it('decode back to their txid and topic for every pair of lengths', () => {
    // Covers every padding combination and the per-length templates.
    for (let txidLength = 0; txidLength <= 40; txidLength++) {
      for (let topicLength = 0; topicLength <= 12; topicLength++) {
        const txid = 'x'.repeat(txidLength);
        const topic = 'T'.repeat(topicLength);
        const frame = encodeAck(txid, topic);
        expect(hex(frame)).toBe(hex(officialAck(Buffer.from(txid), Buffer.from(topic))));
        const envelope = decodeEnvelope(frame);
        expect(viewToString(envelope.txid)).toBe(txid);
        expect(viewToString(envelope.topic)).toBe(topic);
        expect(envelope.messageType).toBe(MessageType.StreamAck);
      }
    }
  });

  it('write non-ASCII text as UTF-8, lone surrogates as U+FFFD like the reference', () => {
    expect(viewToString(decodeEnvelope(encodeAck('tx-é-✓', 'V')).txid)).toBe('tx-é-✓');
    expect([...decodeEnvelope(encodeAck('a\ud800', 'V')).txid]).toEqual([0x61, 0xef, 0xbf, 0xbd]);
  });

  it('stay intact when later acks reuse the pool', () => {
    const first = encodeAck('first', 'V');
    const kept = hex(first);
    for (let i = 0; i < 1_000; i++) encodeAck(`later-${i}`, 'alerts');
    expect(hex(first)).toBe(kept);
  });

  it('handle txids longer than the template cache covers', () => {
    const txid = new Uint8Array(70_000).fill(0x41);
    const envelope = decodeEnvelope(encodeAck(txid, 'V'));
    expect(envelope.txid.length).toBe(70_000);
    expect(envelope.txid.every((byte) => byte === 0x41)).toBe(true);
  });
});

describe('error responses', () => {
  it('carry the txid, an empty topic and the error text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 48 }), fc.uint8Array({ maxLength: 48 })), (txid) => {
        const frame = encodeErrorResponse(txid);
        const bytes = typeof txid === 'string' ? Buffer.from(txid, 'utf8') : txid;
        const empty = new Uint8Array(0);
        expect(hex(frame)).toBe(
          hex(
            officialStreamFrame({
              txid: bytes,
              topic: empty,
              messageId: empty,
              createdAt: 0,
              senderId: empty,
              payload: Buffer.from('incorrect message format'),
              deviceType: empty,
              deviceId: empty,
              deliveredAtEpochMs: 0n,
            }),
          ),
        );
        const envelope = decodeEnvelope(frame);
        expect(hex(envelope.txid)).toBe(hex(bytes));
        expect(envelope.topic.length).toBe(0);
        expect(viewToString(envelope.stream!.payload)).toBe('incorrect message format');
      }),
      { numRuns: 500 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
