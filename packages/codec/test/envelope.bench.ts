/**
 * Envelope hot paths: `pnpm --filter @fleet-telemetry/codec bench`. Acks are written once per
 * record, decodeEnvelope runs once per frame.
 */
import { bench, describe } from 'vitest';
import { decodeEnvelope, encodeAck, encodeStreamFrame, viewToString } from '@fleet-telemetry/codec';

const TXID = '123e4567-e89b-12d3-a456-426614174000';
const frame = encodeStreamFrame({
  txid: TXID,
  topic: 'V',
  createdAt: 1_700_000_000,
  senderId: 'vehicle_device.5YJ3E1EA7KF000000',
  payload: new Uint8Array(300),
  deviceType: 'vehicle_device',
  deviceId: '5YJ3E1EA7KF000000',
});
const txidView = decodeEnvelope(frame).txid;

describe('ack', () => {
  bench('encodeAck(txid string, "V")', () => {
    encodeAck(TXID, 'V');
  });
  bench('encodeAck(txid view, "V")', () => {
    encodeAck(txidView, 'V');
  });
});

describe('frame', () => {
  bench('decodeEnvelope (Stream, 300-byte payload)', () => {
    decodeEnvelope(frame);
  });
  bench('viewToString(txid)', () => {
    viewToString(txidView);
  });
  bench('encodeStreamFrame (300-byte payload)', () => {
    encodeStreamFrame({ txid: TXID, topic: 'V', payload: txidView });
  });
});
