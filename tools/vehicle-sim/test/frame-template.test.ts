import { fromBinary } from '@bufbuild/protobuf';
import { decodeEnvelope, MessageType, PayloadSchema, viewToString } from '@fleet-telemetry/codec';
import { describe, expect, it } from 'vitest';
import { FrameTemplate } from '../src/frame-template.js';
import { encodeVehicleData } from '../src/payloads/vehicle-data.js';
import { initialVehicleState } from '../src/payloads/vehicle-state.js';
import { createRandom } from '../src/random.js';
import { createTxidPrefix, formatTxid } from '../src/txid.js';

const vin = '5YJ3E1EA7KF000002';

describe('FrameTemplate', () => {
  const random = createRandom(9);
  const payload = encodeVehicleData(initialVehicleState(vin, random), random, Date.now());
  const txidPrefix = createTxidPrefix();
  const messageIdPrefix = createTxidPrefix();
  const createdAtMs = Date.UTC(2025, 5, 1, 8, 30, 15, 250);
  const template = FrameTemplate.build({ vin, topic: 'V', payload, txidPrefix, messageIdPrefix, createdAtMs });

  it('encodes a Stream envelope as a vehicle sends it', () => {
    const envelope = decodeEnvelope(template.stamp(0));
    expect(envelope.messageType).toBe(MessageType.Stream);
    expect(viewToString(envelope.topic)).toBe('V');
    expect(envelope.stream).toBeDefined();
    const stream = envelope.stream!;
    expect(viewToString(stream.senderId)).toBe(`vehicle_device.${vin}`);
    expect(viewToString(stream.deviceType)).toBe('vehicle_device');
    expect(viewToString(stream.deviceId)).toBe(vin);
    expect(stream.createdAt).toBe(Math.floor(createdAtMs / 1000));
    expect(fromBinary(PayloadSchema, stream.payload).vin).toBe(vin);
  });

  it('gives every stamp its own txid and message_id and leaves the rest alone', () => {
    const seen = new Set<string>();
    for (const sequence of [0, 1, 2, 255, 1_000_000, 2 ** 40]) {
      const envelope = decodeEnvelope(Buffer.from(template.stamp(sequence)));
      const txid = viewToString(envelope.txid);
      expect(txid).toBe(formatTxid(txidPrefix, sequence));
      expect(viewToString(envelope.messageId)).toBe(formatTxid(messageIdPrefix, sequence));
      expect(Buffer.from(envelope.stream!.payload).equals(Buffer.from(payload))).toBe(true);
      seen.add(txid);
    }
    expect(seen.size).toBe(6);
  });

  it('patches in place: no new buffer per frame', () => {
    expect(template.stamp(1)).toBe(template.stamp(2));
  });
});
