import type { AckOutcome, DispatchResult, TelemetryRecord } from '@fleet-telemetry/sink-api';
import { metrics } from '@opentelemetry/api';
import { pino } from 'pino';
import { bench, describe } from 'vitest';
import { createTransportMetrics, FrameProcessor, type TransportDispatcher } from '../src/index.js';
import { senderId, streamFrame, vehicleData, vin } from '../test/support/frames.js';

const BATCH = 1_000;

/** Acks every record at once and keeps nothing. */
const acceptAll: TransportDispatcher = {
  hasRoute: () => true,
  dispatch: (_record: TelemetryRecord, _onAck: (outcome: AckOutcome) => void): DispatchResult => 'ack-now',
  isSaturated: () => false,
  onDrain: () => () => {},
};

const vFrames = Array.from({ length: BATCH }, (_, index) =>
  streamFrame({ txid: `tx-${index}`, topic: 'V', payload: vehicleData({ odometer: index }) }),
);

function processor(encoding: 'protobuf' | 'json'): FrameProcessor {
  return new FrameProcessor({
    socketId: 'bench',
    identity: { deviceId: vin, clientType: 'vehicle_device', senderId },
    deviceClientVersion: '',
    dispatcher: acceptAll,
    metrics: createTransportMetrics(metrics.getMeterProvider()),
    logger: pino({ level: 'silent' }),
    encoding,
    responses: { send: () => {}, isOpen: () => true, pendingAcksChanged: () => {} },
  });
}

describe(`frame pipeline: ${BATCH} V frames, no sockets`, () => {
  const protobuf = processor('protobuf');
  const json = processor('json');
  bench('protobuf to sinks', () => {
    for (const frame of vFrames) protobuf.process(frame);
  });
  bench('JSON to sinks (transmit_decoded_records)', () => {
    for (const frame of vFrames) json.process(frame);
  });
});
