import { decodeRecord } from '@fleet-telemetry/codec';
import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { freePort, startPubSubEmulator, type PubSubEmulator } from '@fleet-telemetry/test-services';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PubSubConnectionError, PubSubSink, type PubSubSinkOptions } from '../src/index.js';
import { EmulatorAdmin } from './support/emulator-admin.js';
import { outcomes, until } from './support/outcomes.js';
import { markerOf, realRecord, type RecordKind } from './support/records.js';
import { tcpGate } from './support/tcp-gate.js';
import { testMeter } from './support/test-meter.js';

let emulator: PubSubEmulator;
let admin: EmulatorAdmin;

beforeAll(async () => {
  emulator = await startPubSubEmulator({ projectId: 'fleet' });
  admin = new EmulatorAdmin(emulator.host, emulator.projectId);
});

afterAll(async () => {
  await emulator?.destroy();
});

function pubSubSink(options: Partial<PubSubSinkOptions> = {}, config: Record<string, unknown> = {}): PubSubSink {
  return new PubSubSink({
    namespace: 'tesla',
    recordTypes: ['V', 'connectivity'],
    env: { PUBSUB_EMULATOR_HOST: emulator.host },
    ...options,
    config: { gcp_project_id: emulator.projectId, retry_base_delay_ms: 50, retry_max_delay_ms: 500, ...config },
  });
}

describe('PubSubSink against the Pub/Sub emulator', () => {
  it('creates missing topics at start and publishes V and connectivity records, protobuf and JSON, with the metadata as attributes', async () => {
    const metrics = testMeter();
    const sink = pubSubSink({ namespace: 'layout', meter: metrics.meter });
    await sink.start();
    expect(await admin.topicExists('layout_V')).toBe(true);
    expect(await admin.topicExists('layout_connectivity')).toBe(true);
    const readers = { V: await admin.subscribe('layout_V', 'layout-V'), connectivity: await admin.subscribe('layout_connectivity', 'layout-connectivity') };

    const cases: Array<[RecordKind, 'protobuf' | 'json']> = [
      ['V', 'protobuf'],
      ['V', 'json'],
      ['connectivity', 'protobuf'],
      ['connectivity', 'json'],
    ];
    const records = cases.map(([kind, encoding], index) => realRecord(kind, encoding, `5YJ3E1EA7KF00000${index}`, `layout-${index}`));
    const delivery = outcomes(records.length);
    records.forEach((record, index) => sink.write(record, delivery.callback(index)));
    await delivery.done;
    expect(delivery.results).toEqual(['ok', 'ok', 'ok', 'ok']);

    for (const kind of ['V', 'connectivity'] as const) {
      const received = await readers[kind].readAll();
      const expected = records.filter((record) => record.recordType === kind);
      expect(received).toHaveLength(expected.length);
      for (const record of expected) {
        const message = received.find((candidate) => candidate.metadata['txid'] === record.txid);
        expect(message, `${record.txid} on layout_${kind}`).toBeDefined();
        expect(message?.metadata).toEqual({ ...record.metadata });
        expect(Buffer.from(message?.payload ?? []).equals(Buffer.from(record.payload))).toBe(true);
        const decoded = decodeRecord({ value: message?.payload ?? new Uint8Array(), headers: message?.metadata });
        expect(decoded).toMatchObject({ recordType: kind, vin: record.vin, encoding: record.encoding });
        expect(markerOf(decoded)).toBe(record.socketId);
      }
    }
    expect(await metrics.value('pubsub_publish_total', { record_type: 'V' })).toBe(2);
    expect(await metrics.value('pubsub_reliable_ack_total', { record_type: 'connectivity' })).toBe(2);
    expect(await metrics.value('pubsub_publish_total_bytes', { record_type: 'V' })).toBe(records[0]!.payload.byteLength + records[1]!.payload.byteLength);
    await sink.close();
  });

  it('batches: far fewer Publish calls than records', async () => {
    const metrics = testMeter();
    const sink = pubSubSink({ namespace: 'batching', recordTypes: ['V'], meter: metrics.meter });
    await sink.start();
    const count = 2_000;
    const delivery = outcomes(count);
    for (let index = 0; index < count; index += 1) sink.write(testRecord({ payload: new Uint8Array([index % 256, 1, 2, 3]) }), delivery.callback(index));
    await delivery.done;
    expect(delivery.results.every((result) => result === 'ok')).toBe(true);
    const calls = await metrics.value('pubsub_publish_calls_total');
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(count / 100);
    await sink.close();
  });

  it('fails start-up with a clear message when the emulator cannot be reached', async () => {
    const metrics = testMeter();
    const host = `127.0.0.1:${await freePort()}`;
    const sink = pubSubSink({ env: { PUBSUB_EMULATOR_HOST: host }, meter: metrics.meter }, { request_timeout_ms: 2_000 });
    const started = sink.start();
    await expect(started).rejects.toBeInstanceOf(PubSubConnectionError);
    await expect(started).rejects.toThrow(`pubsub: cannot find or create topic tesla_V in project fleet at the emulator at ${host}: `);
    expect(await metrics.value('pubsub_not_connected_total')).toBe(1);
    await sink.close();
  });

  it('creates a topic again when it disappeared, and publishes the record to it', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const metrics = testMeter();
    const sink = pubSubSink({ namespace: 'vanishing', recordTypes: ['V'], logger, meter: metrics.meter });
    await sink.start();
    await admin.deleteTopic('vanishing_V');

    const delivery = outcomes(1);
    sink.write(testRecord({ payload: new Uint8Array([7]) }), delivery.callback(0));
    await delivery.done;
    expect(delivery.results).toEqual(['ok']);
    expect(await admin.topicExists('vanishing_V')).toBe(true);
    expect(lines.some((line) => line['msg'] === 'pubsub topic vanishing_V is missing; creating it again')).toBe(true);
    expect(await metrics.value('pubsub_retry_total', { record_type: 'V', reason: 'topic-missing' })).toBe(1);
    await sink.close();
  });

  it('saturates while Pub/Sub does not answer and drains once it does', async () => {
    const gate = await tcpGate(emulator.port);
    const sink = pubSubSink({ namespace: 'pushback', recordTypes: ['V'], env: { PUBSUB_EMULATOR_HOST: gate.host } }, { max_buffered_records: 4 });
    try {
      await sink.start();
      let drains = 0;
      sink.onDrain(() => (drains += 1));
      gate.close();
      const delivery = outcomes(4);
      for (let index = 0; index < 4; index += 1) sink.write(testRecord(), delivery.callback(index));
      expect(sink.isSaturated()).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(delivery.settled).toBe(0);
      gate.open();
      await delivery.done;
      expect(delivery.results).toEqual(['ok', 'ok', 'ok', 'ok']);
      await until(() => drains === 1, 5_000, 'the drain notification');
      expect(sink.isSaturated()).toBe(false);
      await sink.close();
    } finally {
      await gate.dispose();
    }
  });

  // Last: it stops and restarts the shared emulator.
  it('confirms nothing while the emulator is down, and publishes the held records once it is back', async () => {
    // The emulator keeps topics in memory: after its restart the test creates the topic and a
    // subscription again before the sink may reach it (through a gate), so that no record lands
    // on a topic nobody reads yet.
    const gate = await tcpGate(emulator.port);
    const metrics = testMeter();
    const sink = pubSubSink({ namespace: 'outage', env: { PUBSUB_EMULATOR_HOST: gate.host }, meter: metrics.meter }, { delivery_timeout_ms: 180_000 });
    try {
      await sink.start();
      await emulator.stop();
      gate.close();

      const records = Array.from({ length: 10 }, (_, index) => realRecord(index % 2 === 0 ? 'V' : 'connectivity', 'protobuf', `5YJ3E1EA7KF1000${index}`, `outage-${index}`));
      const delivery = outcomes(records.length);
      records.forEach((record, index) => sink.write(record, delivery.callback(index)));
      await until(async () => (await metrics.value('pubsub_not_connected_total')) >= 10, 20_000, 'publish attempts finding Pub/Sub unreachable');
      expect(delivery.settled).toBe(0);
      expect(sink.health()).toMatchObject({ healthy: false, pending: 10 });

      await emulator.start();
      const readers = [];
      for (const topic of ['outage_V', 'outage_connectivity']) {
        await admin.createTopic(topic);
        readers.push(await admin.subscribe(topic, `${topic}-reader`));
      }
      gate.open();

      await delivery.done;
      expect(delivery.results).toEqual(new Array(10).fill('ok'));
      expect(sink.health()).toMatchObject({ healthy: true, pending: 0 });
      const received = (await Promise.all(readers.map((reader) => reader.readAll()))).flat();
      expect(received.map((message) => message.metadata['txid']).sort()).toEqual(records.map((record) => record.txid).sort());
      expect(await metrics.value('pubsub_err', { record_type: 'V' })).toBe(0);
      await sink.close();
    } finally {
      await gate.dispose();
    }
  }, 180_000);
});
