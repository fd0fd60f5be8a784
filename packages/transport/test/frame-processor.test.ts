import type { AckOutcome, DispatchResult, TelemetryRecord } from '@fleet-telemetry/sink-api';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FrameProcessor, type TransportDispatcher } from '../src/index.js';
import { createTransportMetrics } from '../src/metrics.js';
import { alerts, readResponse, senderId, streamFrame, vehicleData, vehicleErrors, vin } from './support/frames.js';
import { testMetrics } from './support/metrics.js';

/** A dispatcher whose answer and confirmation timing each test chooses. */
class ScriptedDispatcher implements TransportDispatcher {
  readonly dispatched: TelemetryRecord[] = [];
  readonly acks: Array<(outcome: AckOutcome) => void> = [];
  readonly reported: Array<[string, 'sent' | 'missed']> = [];
  constructor(
    private readonly result: DispatchResult,
    private readonly confirmDuringDispatch?: AckOutcome,
  ) {}
  hasRoute(recordType: string): boolean {
    return recordType === 'V';
  }
  dispatch(record: TelemetryRecord, onAck: (outcome: AckOutcome) => void): DispatchResult {
    this.dispatched.push(record);
    this.acks.push(onAck);
    if (this.confirmDuringDispatch !== undefined) onAck(this.confirmDuringDispatch);
    return this.result;
  }
  isSaturated(): boolean {
    return false;
  }
  onDrain(): () => void {
    return () => {};
  }
  reportAck(recordType: string, result: 'sent' | 'missed'): void {
    this.reported.push([recordType, result]);
  }
}

function processor(dispatcher: TransportDispatcher, open = () => true, trackedVins?: ReadonlySet<string>) {
  const sent: Uint8Array[] = [];
  const pending: number[] = [];
  const metrics = testMetrics();
  const frames = new FrameProcessor({
    socketId: 'socket-1',
    identity: { deviceId: vin, clientType: 'vehicle_device', senderId },
    deviceClientVersion: '1.2.3',
    dispatcher,
    metrics: createTransportMetrics(metrics.meterProvider),
    logger: pino({ level: 'silent' }),
    now: () => 1_700_000_000_123,
    trackedVins,
    responses: {
      send: (frame) => sent.push(frame),
      isOpen: open,
      pendingAcksChanged: (count) => pending.push(count),
    },
  });
  return { frames, sent, pending, metrics };
}

const frame = (txid: string): Uint8Array => streamFrame({ txid, topic: 'V', payload: vehicleData() });

describe('FrameProcessor', () => {
  it('builds the record sinks receive', () => {
    const dispatcher = new ScriptedDispatcher('ack-now');
    const { frames } = processor(dispatcher);
    frames.process(frame('tx'));
    expect(dispatcher.dispatched[0]).toMatchObject({
      recordType: 'V',
      vin,
      txid: 'tx',
      socketId: 'socket-1',
      receivedAt: 1_700_000_000_123,
      encoding: 'protobuf',
      metadata: {
        vin,
        receivedat: '1700000000123',
        timestamp: '0',
        txid: 'tx',
        txtype: 'V',
        version: '0',
        device_client_version: '1.2.3',
      },
    });
  });

  it('acks at once for ack-now and no-route', () => {
    for (const result of ['ack-now', 'no-route'] as const) {
      const dispatcher = new ScriptedDispatcher(result);
      const { frames, sent, pending } = processor(dispatcher);
      frames.process(frame('tx'));
      expect(sent.map(readResponse)).toEqual([{ kind: 'ack', txid: 'tx', topic: 'V', payload: '' }]);
      expect(pending).toEqual([]);
      // A stray confirmation for a record acked at once is ignored.
      dispatcher.acks[0]!({ ok: true });
      expect(sent).toHaveLength(1);
    }
  });

  it('holds a pending ack until the confirmation, counting it in flight', () => {
    const dispatcher = new ScriptedDispatcher('ack-pending');
    const { frames, sent, pending } = processor(dispatcher);
    frames.process(frame('tx'));
    expect(sent).toHaveLength(0);
    expect(frames.pendingAcks).toBe(1);
    dispatcher.acks[0]!({ ok: true });
    expect(sent.map((bytes) => readResponse(bytes).txid)).toEqual(['tx']);
    expect(pending).toEqual([1, 0]);
    expect(dispatcher.reported).toEqual([['V', 'sent']]);
    // Only the first confirmation counts.
    dispatcher.acks[0]!({ ok: true });
    expect(sent).toHaveLength(1);
    expect(frames.pendingAcks).toBe(0);
  });

  it('acks a record confirmed before dispatch returned', () => {
    const dispatcher = new ScriptedDispatcher('ack-pending', { ok: true });
    const { frames, sent, pending } = processor(dispatcher);
    frames.process(frame('tx'));
    expect(sent).toHaveLength(1);
    expect(pending).toEqual([]);
    expect(frames.pendingAcks).toBe(0);
  });

  it('never acks a failed record', () => {
    const failure: AckOutcome = { ok: false, error: new Error('down'), sink: 'kafka' };
    const early = new ScriptedDispatcher('ack-pending', failure);
    const first = processor(early);
    first.frames.process(frame('a'));
    expect(first.sent).toHaveLength(0);

    const late = new ScriptedDispatcher('ack-pending');
    const second = processor(late);
    second.frames.process(frame('b'));
    late.acks[0]!(failure);
    expect(second.sent).toHaveLength(0);
    expect(second.frames.pendingAcks).toBe(0);
    expect(late.reported).toEqual([]);
  });

  it('reports a confirmation for a closed socket as missed and sends nothing', () => {
    const dispatcher = new ScriptedDispatcher('ack-pending');
    let open = true;
    const { frames, sent } = processor(dispatcher, () => open);
    frames.process(frame('tx'));
    open = false;
    dispatcher.acks[0]!({ ok: true });
    expect(sent).toHaveLength(0);
    expect(dispatcher.reported).toEqual([['V', 'missed']]);
  });

  it('answers nothing when the dispatcher throws', () => {
    const dispatcher = new ScriptedDispatcher('ack-now');
    dispatcher.dispatch = () => {
      throw new Error('bug');
    };
    const { frames, sent } = processor(dispatcher);
    frames.process(frame('tx'));
    expect(sent).toHaveLength(0);
    expect(frames.pendingAcks).toBe(0);
  });

  it('keeps record, byte and signal counts exact over many frames of mixed types, scraped mid-stream', async () => {
    const { frames, metrics } = processor(new ScriptedDispatcher('ack-now'));
    const payloads = { V: vehicleData(), alerts: alerts('SPOOFED'), errors: vehicleErrors('SPOOFED') };
    const order = ['V', 'V', 'alerts', 'V', 'errors', 'errors', 'V', 'alerts'] as const;
    const expected = { V: { records: 0, bytes: 0 }, alerts: { records: 0, bytes: 0 }, errors: { records: 0, bytes: 0 } };
    const sendRound = (round: number): void => {
      order.forEach((topic, index) => {
        frames.process(streamFrame({ txid: `tx-${round}-${index}`, topic, payload: payloads[topic] }));
      });
    };
    const check = async (): Promise<void> => {
      for (const [recordType, counts] of Object.entries(expected)) {
        expect(await metrics.value('record_total', { record_type: recordType })).toBe(counts.records);
        expect(await metrics.value('record_size_bytes_total', { record_type: recordType })).toBe(counts.bytes);
        expect(frames.bytesByRecordType.get(recordType)).toBe(counts.bytes);
      }
      // vehicleData() holds 2 data entries, alerts('…') 1 alert; errors carry no signals.
      expect(await metrics.points('signal_count')).toEqual(
        expect.arrayContaining([
          { attributes: { record_type: 'V' }, value: expected.V.records * 2 },
          { attributes: { record_type: 'alerts' }, value: expected.alerts.records },
        ]),
      );
      expect((await metrics.points('signal_count')).map((point) => point.attributes['record_type'])).not.toContain('errors');
    };
    const dispatcher = new ScriptedDispatcher('ack-now');
    const sizes = { V: 0, alerts: 0, errors: 0 };
    for (const topic of ['V', 'alerts', 'errors'] as const) {
      dispatcher.dispatched.length = 0;
      const probe = processor(dispatcher);
      probe.frames.process(streamFrame({ txid: 'probe', topic, payload: payloads[topic] }));
      sizes[topic] = dispatcher.dispatched[0]!.payload.length;
    }
    for (let round = 0; round < 50; round++) {
      sendRound(round);
      for (const topic of order) {
        expected[topic].records += 1;
        expected[topic].bytes += sizes[topic];
      }
      if (round === 7 || round === 49) await check();
    }
    expect(expected.V.records).toBe(200);
  });

  it('counts vin_signal_count only for a tracked VIN, under the record type', async () => {
    const tracked = processor(new ScriptedDispatcher('ack-now'), () => true, new Set([vin]));
    tracked.frames.process(frame('a'));
    tracked.frames.process(streamFrame({ txid: 'b', topic: 'alerts', payload: alerts('SPOOFED') }));
    tracked.frames.process(frame('c'));
    expect(await tracked.metrics.points('vin_signal_count')).toEqual([
      { attributes: { record_type: 'V', vin }, value: 4 },
      { attributes: { record_type: 'alerts', vin }, value: 1 },
    ]);
    const untracked = processor(new ScriptedDispatcher('ack-now'), () => true, new Set(['OTHERVIN']));
    untracked.frames.process(frame('a'));
    expect(await untracked.metrics.points('vin_signal_count')).toEqual([]);
  });

  it('leaves a type out of the counts when its record did not build', async () => {
    const { frames, metrics, sent } = processor(new ScriptedDispatcher('ack-now'));
    frames.process(streamFrame({ txid: 'bad', topic: 'alerts', payload: Uint8Array.of(0xff, 0xff) }));
    frames.process(frame('good'));
    expect(sent.map((answer) => readResponse(answer).kind)).toEqual(['error', 'ack']);
    expect((await metrics.points('record_total')).map((point) => point.attributes)).toEqual([{ record_type: 'V' }]);
    expect([...frames.bytesByRecordType.keys()]).toEqual(['V']);
  });
});
