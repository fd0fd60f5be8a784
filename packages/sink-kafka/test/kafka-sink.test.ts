import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { Field, PayloadSchema, decodeRecord, protobufToJson, type Payload } from '@fleet-telemetry/codec';
import type { KafkaBroker } from '@fleet-telemetry/test-services';
import { describeSinkConformance } from '@fleet-telemetry/sink-api/conformance';
import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaConfigError, KafkaDeliveryError, KafkaOverflowError, KafkaSink, type KafkaSinkOptions } from '../src/index.js';
import { startKafka } from '@fleet-telemetry/test-services';
import { deliveries } from './support/deliveries.js';
import { testMeter } from './support/test-meter.js';
import { TopicReader } from './support/topic-reader.js';

let broker: KafkaBroker;
let reader: TopicReader;

beforeAll(async () => {
  broker = await startKafka();
  reader = await TopicReader.connect(broker.bootstrapServers);
});

afterAll(async () => {
  await reader?.close();
  await broker?.destroy();
});

function sink(options: Partial<KafkaSinkOptions> & { namespace: string }, config: Record<string, unknown> = {}): KafkaSink {
  return new KafkaSink({ ...options, config: { 'bootstrap.servers': broker.bootstrapServers, ...config } });
}

/** A fresh namespace, so each test reads only its own topics. */
function namespace(): string {
  return `t${randomUUID().slice(0, 8)}`;
}

/** A `V` payload as the server hands it to sinks. */
function vehicleData(vin: string): Uint8Array {
  return toBinary(
    PayloadSchema,
    create(PayloadSchema, {
      vin,
      data: [
        { key: Field.Soc, value: { value: { case: 'intValue', value: 81 } } },
        { key: Field.Location, value: { value: { case: 'locationValue', value: { latitude: 37.41, longitude: -122.14 } } } },
      ],
    }),
  );
}

describeSinkConformance(
  'KafkaSink',
  async () => {
    const ns = namespace();
    return {
      sink: sink({ namespace: ns }),
      readBack: async () =>
        (await reader.read(`${ns}_V`)).map((stored) => ({
          payload: stored.value,
          vin: stored.key,
          metadata: Object.fromEntries(stored.headers),
        })),
    };
  },
  { recordType: 'V', timeoutMs: 20_000 },
);

describe('KafkaSink against a real broker', () => {
  it('writes a V record to tesla_V: key = VIN, value = payload bytes, headers = metadata, timestamp = now', async () => {
    const kafka = sink({ namespace: 'tesla' });
    await kafka.start();
    const payload = vehicleData('5YJ3E1EA7KF000042');
    const record = testRecord({
      recordType: 'V',
      vin: '5YJ3E1EA7KF000042',
      payload,
      metadata: { device_client_version: '2025.2.6' },
    });
    const before = Date.now();
    const callback = deliveries(1);
    kafka.write(record, callback.callback(0));
    await callback.done;
    const after = Date.now();
    await kafka.close();

    const [stored, ...others] = await reader.read('tesla_V');
    expect(others).toEqual([]);
    expect(callback.results).toEqual([undefined]);
    expect(stored?.key).toBe('5YJ3E1EA7KF000042');
    expect([...(stored?.value ?? [])]).toEqual([...payload]);
    expect(Object.fromEntries(stored?.headers ?? [])).toEqual({
      vin: '5YJ3E1EA7KF000042',
      receivedat: String(record.receivedAt),
      timestamp: '0',
      txid: record.txid,
      txtype: 'V',
      version: '0',
      device_client_version: '2025.2.6',
    });
    expect(stored?.timestamp).toBeGreaterThanOrEqual(before);
    expect(stored?.timestamp).toBeLessThanOrEqual(after);
  });

  it('keeps the bytes of JSON-encoded records exactly', async () => {
    const ns = namespace();
    const kafka = sink({ namespace: ns });
    await kafka.start();
    const json = new TextEncoder().encode('{"data":[{"key":"VehicleSpeed","value":{"stringValue":"42.5"}}],"vin":"VIN-é"}');
    const callback = deliveries(1);
    kafka.write(testRecord({ recordType: 'V', encoding: 'json', payload: json }), callback.callback(0));
    await callback.done;
    await kafka.close();
    const stored = await reader.read(`${ns}_V`);
    expect(stored.map((record) => Buffer.compare(record.value, Buffer.from(json)))).toEqual([0]);
  });

  it('writes what a consumer decodes with @fleet-telemetry/codec, protobuf or JSON', async () => {
    const ns = namespace();
    const kafka = sink({ namespace: ns });
    await kafka.start();
    const protobuf = vehicleData('5YJ3E1EA7KF000043');
    const json = new TextEncoder().encode(protobufToJson(PayloadSchema, protobuf));
    const callbacks = deliveries(2);
    kafka.write(testRecord({ vin: '5YJ3E1EA7KF000043', payload: protobuf }), callbacks.callback(0));
    kafka.write(testRecord({ vin: '5YJ3E1EA7KF000043', encoding: 'json', payload: json }), callbacks.callback(1));
    await callbacks.done;
    await kafka.close();

    const decoded = (await reader.read(`${ns}_V`)).map((stored) =>
      decodeRecord({ topic: stored.topic, namespace: ns, value: stored.value, headers: stored.rawHeaders }),
    );
    expect(decoded.map((record) => [record.recordType, record.encoding, record.vin, record.metadata['txtype']])).toEqual([
      ['V', 'protobuf', '5YJ3E1EA7KF000043', 'V'],
      ['V', 'json', '5YJ3E1EA7KF000043', 'V'],
    ]);
    for (const record of decoded) {
      const data = (record.message as Payload).data;
      expect(data.map((datum) => [datum.key, datum.value?.value.case])).toEqual([
        [Field.Soc, 'intValue'],
        [Field.Location, 'locationValue'],
      ]);
    }
  });

  it('confirms each record once and counts what it produced, acked and confirmed', async () => {
    const { meter, value } = testMeter();
    const ns = namespace();
    const kafka = sink({ namespace: ns, meter });
    await kafka.start();
    const withCallback = 300;
    const records = Array.from({ length: 400 }, (_, index) =>
      testRecord({ recordType: index % 2 === 0 ? 'V' : 'alerts', payload: new TextEncoder().encode(`record ${index}`) }),
    );
    const callbacks = deliveries(withCallback);
    records.forEach((record, index) => kafka.write(record, index < withCallback ? callbacks.callback(index) : undefined));
    await callbacks.done;
    await kafka.flush(20_000);

    expect(callbacks.results.filter((result) => result !== undefined)).toEqual([]);
    expect(callbacks.calls.every((count) => count === 1)).toBe(true);
    expect(kafka.health()).toMatchObject({ healthy: true, pending: 0 });
    const bytes = (type: string) => records.filter((r) => r.recordType === type).reduce((sum, r) => sum + r.payload.length, 0);
    for (const type of ['V', 'alerts']) {
      expect(await value('kafka_produce_total', { record_type: type })).toBe(200);
      expect(await value('kafka_produce_total_bytes', { record_type: type })).toBe(bytes(type));
      expect(await value('kafka_produce_ack_total', { record_type: type })).toBe(200);
      expect(await value('kafka_produce_ack_total_bytes', { record_type: type })).toBe(bytes(type));
      expect(await value('kafka_reliable_ack_total', { record_type: type })).toBe(150);
    }
    expect(await value('kafka_err')).toBe(0);
    expect(await value('kafka_produce_queue_size', { type: 'total' })).toBe(0);
    await kafka.close();
    expect((await reader.read(`${ns}_V`)).length + (await reader.read(`${ns}_alerts`)).length).toBe(400);
  });

  it('holds records while librdkafka’s queue is full, reports saturation, drains and loses none', async () => {
    const { meter, value } = testMeter();
    const ns = namespace();
    const kafka = sink({ namespace: ns, meter }, { 'queue.buffering.max.messages': 5 });
    await kafka.start();
    const count = 300;
    const vins = ['VIN-A', 'VIN-B', 'VIN-C'];
    const records = Array.from({ length: count }, (_, index) =>
      testRecord({ vin: vins[index % vins.length], payload: new TextEncoder().encode(`queued ${index}`) }),
    );
    const callbacks = deliveries(count);
    let drains = 0;
    kafka.onDrain(() => (drains += 1));
    records.forEach((record, index) => kafka.write(record, callbacks.callback(index)));

    expect(kafka.isSaturated()).toBe(true);
    expect(await value('kafka_produce_queue_size', { type: 'overflow' })).toBeGreaterThan(0);
    await callbacks.done;
    expect(kafka.isSaturated()).toBe(false);
    expect(drains).toBeGreaterThanOrEqual(1);
    expect(callbacks.results.filter((result) => result !== undefined)).toEqual([]);
    expect(await value('kafka_err')).toBe(0);
    await kafka.close();

    const stored = await reader.read(`${ns}_V`);
    expect(stored.map((record) => record.value.toString()).sort()).toEqual(records.map((r) => Buffer.from(r.payload).toString()).sort());
    for (const vin of vins) {
      const written = records.filter((record) => record.vin === vin).map((record) => Buffer.from(record.payload).toString());
      const read = stored.filter((record) => record.key === vin).map((record) => record.value.toString());
      expect(read, `records of ${vin} in write order`).toEqual(written);
    }
  });

  it('fails records beyond its overflow limit through their callbacks, and counts them', async () => {
    const { meter, value } = testMeter();
    const ns = namespace();
    const kafka = sink({ namespace: ns, meter, overflowLimit: 10 }, { 'queue.buffering.max.messages': 5 });
    await kafka.start();
    const callbacks = deliveries(100);
    for (let index = 0; index < 100; index += 1) {
      kafka.write(testRecord({ payload: new TextEncoder().encode(`overflow ${index}`) }), callbacks.callback(index));
    }
    await callbacks.done;
    const failed = callbacks.results.filter((result) => result instanceof KafkaOverflowError);
    const confirmed = callbacks.results.filter((result) => result === undefined);
    expect(confirmed.length).toBe(15);
    expect(failed.length).toBe(85);
    expect(await value('kafka_err')).toBe(85);
    await kafka.close();
    expect((await reader.read(`${ns}_V`)).length).toBe(15);
  });

  it('fails a record librdkafka refuses (over message.max.bytes) through its callback, and goes on', async () => {
    const { meter, value } = testMeter();
    const ns = namespace();
    const kafka = sink({ namespace: ns, meter }, { 'message.max.bytes': 10_000 });
    await kafka.start();
    const callbacks = deliveries(2);
    kafka.write(testRecord({ payload: new Uint8Array(20_000) }), callbacks.callback(0));
    kafka.write(testRecord({ payload: new Uint8Array(100) }), callbacks.callback(1));
    await callbacks.done;
    const [refused, accepted] = callbacks.results;
    expect(refused).toBeInstanceOf(KafkaDeliveryError);
    expect((refused as KafkaDeliveryError).code).toBe(10);
    expect(accepted).toBeUndefined();
    expect(await value('kafka_err')).toBe(1);
    await kafka.close();
  });

  it('holds records written before start() and delivers them once started', async () => {
    const ns = namespace();
    const kafka = sink({ namespace: ns });
    const callbacks = deliveries(3);
    for (let index = 0; index < 3; index += 1) kafka.write(testRecord({ payload: new Uint8Array([index]) }), callbacks.callback(index));
    expect(callbacks.settled).toBe(0);
    await kafka.start();
    await callbacks.done;
    expect(callbacks.results).toEqual([undefined, undefined, undefined]);
    await kafka.close();
  });

  it('survives a delivery callback that throws', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
    const ns = namespace();
    const kafka = sink({ namespace: ns, logger });
    await kafka.start();
    const callbacks = deliveries(1);
    kafka.write(testRecord({ payload: new Uint8Array([1]) }), () => {
      throw new Error('callback bug');
    });
    kafka.write(testRecord({ payload: new Uint8Array([2]) }), callbacks.callback(0));
    await callbacks.done;
    await kafka.close();
    expect(callbacks.results).toEqual([undefined]);
    expect(lines.some((line) => line.includes('kafka delivery callback threw') && line.includes('callback bug'))).toBe(true);
  });

  it('rejects a kafka section librdkafka cannot use when the sink is created', () => {
    expect(() => new KafkaSink({ namespace: 'tesla', config: { 'bootstrap.servers': 'x:1', 'no.such.property': 1 } })).toThrow(
      /no\.such\.property/,
    );
    expect(() => new KafkaSink({ namespace: 'tesla', config: {} })).toThrow(KafkaConfigError);
  });
});
