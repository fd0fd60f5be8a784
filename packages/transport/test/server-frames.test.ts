import { fromBinary } from '@bufbuild/protobuf';
import {
  encodeAck,
  PayloadSchema,
  VehicleAlertsSchema,
  VehicleConnectivitySchema,
  VehicleErrorsSchema,
} from '@fleet-telemetry/codec';
import { rateLimiterFromConfig } from '@fleet-telemetry/rate-limiter';
import { MemorySink } from '@fleet-telemetry/sink-api/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VehicleClient } from './support/client.js';
import {
  alerts,
  connectivity,
  readResponse,
  streamFrame,
  vehicleData,
  vehicleErrors,
  vin,
} from './support/frames.js';
import { createTestPki, type TestPki } from './support/pki.js';
import { startServer, type RunningServer } from './support/server.js';

let pki: TestPki;
let running: RunningServer | undefined;
let client: VehicleClient | undefined;

beforeAll(async () => {
  pki = await createTestPki();
  return () => pki.dispose();
});

afterEach(async () => {
  client?.ws.terminate();
  client = undefined;
  await running?.close();
  running = undefined;
});

async function start(options: Parameters<typeof startServer>[1] = {}): Promise<{ running: RunningServer; client: VehicleClient }> {
  running = await startServer(pki, options);
  client = await running.connect();
  return { running, client };
}

describe('frames from a vehicle', () => {
  it('acks each record with its txid and topic, and hands it to the sinks', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client } = await start({ routes: { V: [sink] } });
    client.send(streamFrame({ txid: 'tx-1', topic: 'V', payload: vehicleData() }));
    const [ack] = await client.messages(1);
    expect(readResponse(ack!)).toEqual({ kind: 'ack', txid: 'tx-1', topic: 'V', payload: '' });
    expect(sink.records).toHaveLength(1);
    expect(sink.records[0]).toMatchObject({ recordType: 'V', txid: 'tx-1', vin, encoding: 'protobuf' });
    expect(sink.records[0]!.metadata).toMatchObject({ vin, txid: 'tx-1', txtype: 'V', timestamp: '0', version: '0' });
  });

  it('answers frames in the order they were sent', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client } = await start({ routes: { V: [sink], alerts: [sink] } });
    const sent: Array<{ txid: string; topic: string }> = [];
    for (let index = 0; index < 30; index += 1) {
      const topic = index % 3 === 0 ? 'alerts' : 'V';
      sent.push({ txid: `tx-${index}`, topic });
      client.send(streamFrame({ txid: `tx-${index}`, topic, payload: topic === 'V' ? vehicleData() : alerts('') }));
    }
    const responses = (await client.messages(30)).map(readResponse);
    expect(responses.map(({ txid, topic }) => ({ txid, topic }))).toEqual(sent);
    expect(sink.records.map((record) => record.txid)).toEqual(sent.map((frame) => frame.txid));
  });

  it('answers the frames of one read in one write, in order', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client } = await start({ routes: { V: [sink] } });
    const transport = client.transport!;
    let reads = 0;
    transport.on('data', () => (reads += 1));
    // Corked, the five frames leave the client in one TLS record, so the server reads them at once.
    transport.cork();
    for (let index = 0; index < 5; index += 1) client.send(streamFrame({ txid: `batch-${index}`, topic: 'V', payload: vehicleData() }));
    transport.uncork();
    const answers = (await client.messages(5)).map(readResponse);
    expect(answers.map((answer) => answer.txid)).toEqual(['batch-0', 'batch-1', 'batch-2', 'batch-3', 'batch-4']);
    expect(reads).toBe(1);
  });

  it('overwrites a spoofed VIN with the certificate’s for V, alerts, errors and connectivity', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client } = await start({ routes: { V: [sink], alerts: [sink], errors: [sink], connectivity: [sink] } });
    const spoofed = 'SPOOFEDVIN0000000';
    client.send(streamFrame({ txid: 'v', topic: 'V', payload: vehicleData({ vin: spoofed }) }));
    client.send(streamFrame({ txid: 'a', topic: 'alerts', payload: alerts(spoofed) }));
    client.send(streamFrame({ txid: 'e', topic: 'errors', payload: vehicleErrors(spoofed) }));
    client.send(streamFrame({ txid: 'c', topic: 'connectivity', payload: connectivity(spoofed) }));
    await client.messages(4);
    const byTxid = new Map(sink.records.map((record) => [record.txid, record]));
    expect(fromBinary(PayloadSchema, byTxid.get('v')!.payload).vin).toBe(vin);
    expect(fromBinary(VehicleAlertsSchema, byTxid.get('a')!.payload).vin).toBe(vin);
    expect(fromBinary(VehicleErrorsSchema, byTxid.get('e')!.payload).vin).toBe(vin);
    expect(fromBinary(VehicleConnectivitySchema, byTxid.get('c')!.payload).vin).toBe(vin);
    for (const record of byTxid.values()) expect(record.metadata.vin).toBe(vin);
  });

  it.each([false, true])('answers a payload that does not decode with the error response and dispatches nothing (JSON: %s)', async (transmitDecodedRecords) => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client, running } = await start({ routes: { V: [sink] }, transmitDecodedRecords });
    client.send(streamFrame({ txid: 'bad', topic: 'V', payload: Uint8Array.of(0x0a, 0xff, 0x01) }));
    const [response] = await client.messages(1);
    expect(readResponse(response!)).toEqual({ kind: 'error', txid: 'bad', topic: '', payload: 'incorrect message format' });
    expect(sink.records).toHaveLength(0);
    expect(await running.metrics.value('unexpected_record_err_total')).toBe(1);
  });

  it('acks envelopes that are not a Stream, and frames that are no envelope, dispatching nothing', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client, running } = await start({ routes: { V: [sink] } });
    // A StreamAck envelope (type 5) from the vehicle, then bytes that are no envelope at all.
    client.send(encodeAck('odd-1', 'V'));
    client.send(Uint8Array.of(1, 2));
    const [first, second] = (await client.messages(2)).map(readResponse);
    expect(first).toEqual({ kind: 'ack', txid: 'odd-1', topic: '', payload: '' });
    expect(second).toEqual({ kind: 'ack', txid: '', topic: '', payload: '' });
    expect(sink.records).toHaveLength(0);
    expect(await running.metrics.value('unknown_message_type_error_total', { msg_type: '5' })).toBe(1);
    expect(await running.metrics.value('unknown_message_type_error_total', { msg_type: 'unreadable' })).toBe(1);
  });

  it('answers a frame over 1,000,000 bytes with the error response', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client, running } = await start({ routes: { custom: [sink] } });
    const frame = streamFrame({ txid: 'big', topic: 'custom', payload: new Uint8Array(1_000_001) });
    expect(frame.length).toBeGreaterThan(1_000_000);
    client.send(frame);
    // A frame of exactly the limit still goes through.
    const base = streamFrame({ txid: 'fits', topic: 'custom', payload: new Uint8Array(0) }).length;
    const fits = streamFrame({ txid: 'fits', topic: 'custom', payload: new Uint8Array(1_000_000 - base) });
    expect(fits.length).toBe(1_000_000);
    client.send(fits);
    const [tooBig, fitting] = (await client.messages(2)).map(readResponse);
    expect(tooBig).toEqual({ kind: 'error', txid: '', topic: '', payload: 'incorrect message format' });
    expect(fitting).toMatchObject({ kind: 'ack', txid: 'fits' });
    expect(sink.records.map((record) => record.txid)).toEqual(['fits']);
    expect(await running.metrics.value('record_too_big_total')).toBe(1);
  });

  it('closes the socket on a frame beyond the WebSocket message limit', async () => {
    const { client } = await start({ limits: { maxPayloadBytes: 1_048_576 } });
    client.send(new Uint8Array(1_048_577));
    expect((await client.closed).code).toBe(1009);
  });

  it('drops frames over the rate limit without an answer and counts them', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const rateLimiter = rateLimiterFromConfig({ enabled: true, message_limit: 2, message_interval_time: 3600 });
    const { client, running } = await start({ routes: { V: [sink] }, rateLimiter });
    for (let index = 0; index < 5; index += 1) {
      client.send(streamFrame({ txid: `tx-${index}`, topic: 'V', payload: vehicleData() }));
    }
    // A text frame closes the socket, and is read after every binary frame before it.
    client.send('end');
    await client.closed;
    expect(client.received.map((frame) => readResponse(frame).txid)).toEqual(['tx-0', 'tx-1']);
    expect(sink.records).toHaveLength(2);
    expect(await running.metrics.value('rate_limit_exceeded_total', { device_id: vin, txtype: 'V' })).toBe(3);
  });

  it('acks a foreign sender id on a topic without a route, dispatching nothing', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client, running } = await start({ routes: { V: [sink] } });
    client.send(streamFrame({ txid: 'foreign', topic: 'unrouted', payload: vehicleData(), senderId: 'vehicle_device.OTHER' }));
    client.send(streamFrame({ txid: 'own', topic: 'unrouted', payload: vehicleData() }));
    client.send(streamFrame({ txid: 'bare', topic: 'unrouted', payload: vehicleData(), senderId: vin }));
    const responses = (await client.messages(3)).map(readResponse);
    expect(responses.map(({ kind, txid, topic }) => ({ kind, txid, topic }))).toEqual([
      { kind: 'ack', txid: 'foreign', topic: 'unrouted' },
      { kind: 'ack', txid: 'own', topic: 'unrouted' },
      { kind: 'ack', txid: 'bare', topic: 'unrouted' },
    ]);
    expect(sink.records).toHaveLength(0);
    expect(await running.metrics.value('unauthorized_sender_id_total')).toBe(1);
  });

  it('does not check the sender id of routed topics', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client } = await start({ routes: { V: [sink] } });
    client.send(streamFrame({ txid: 'x', topic: 'V', payload: vehicleData(), senderId: 'someone.else' }));
    await client.messages(1);
    expect(sink.records.map((record) => record.vin)).toEqual([vin]);
  });

  it('hands sinks canonical JSON when transmitDecodedRecords is on', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client, running } = await start({ routes: { V: [sink], custom: [sink] }, transmitDecodedRecords: true });
    client.send(streamFrame({ txid: 'json', topic: 'V', payload: vehicleData({ odometer: 12.5 }) }));
    client.send(streamFrame({ txid: 'raw', topic: 'custom', payload: Uint8Array.of(9, 9) }));
    await client.messages(2);
    const [json, raw] = sink.records;
    expect(json!.encoding).toBe('json');
    const decoded = JSON.parse(Buffer.from(json!.payload).toString('utf8')) as { vin: string; data: unknown[] };
    expect(decoded.vin).toBe(vin);
    expect(decoded.data).toContainEqual({ key: 'Odometer', value: { doubleValue: 12.5 } });
    expect(await running.metrics.value('signal_count', { record_type: 'V' })).toBe(decoded.data.length);
    // Record types without a known message are passed through as sent.
    expect(raw).toMatchObject({ encoding: 'protobuf', payload: Uint8Array.of(9, 9) });
  });

  it('counts records, bytes and signals, per VIN for tracked VINs', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client, running } = await start({ routes: { V: [sink], alerts: [sink] }, vinsSignalTracking: [vin] });
    client.send(streamFrame({ txid: '1', topic: 'V', payload: vehicleData() }));
    client.send(streamFrame({ txid: '2', topic: 'V', payload: vehicleData() }));
    client.send(streamFrame({ txid: '3', topic: 'alerts', payload: alerts('') }));
    await client.messages(3);
    const { metrics } = running;
    expect(await metrics.value('record_total', { record_type: 'V' })).toBe(2);
    expect(await metrics.value('record_size_bytes_total', { record_type: 'V' })).toBe(
      sink.records[0]!.payload.length + sink.records[1]!.payload.length,
    );
    expect(await metrics.value('signal_count', { record_type: 'V' })).toBe(4);
    expect(await metrics.value('signal_count', { record_type: 'alerts' })).toBe(1);
    expect(await metrics.value('vin_signal_count', { record_type: 'V', vin })).toBe(4);
  });

  it('leaves vin_signal_count alone for VINs not tracked', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    const { client, running } = await start({ routes: { V: [sink] }, vinsSignalTracking: ['OTHERVIN000000000'] });
    client.send(streamFrame({ txid: '1', topic: 'V', payload: vehicleData() }));
    await client.messages(1);
    expect(await running.metrics.value('signal_count', { record_type: 'V' })).toBe(2);
    expect(await running.metrics.points('vin_signal_count')).toEqual([]);
  });

  it('carries the Version header as device_client_version', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    running = await startServer(pki, { routes: { V: [sink] } });
    client = await running.connect({ headers: { Version: '2025.2.6' } });
    client.send(streamFrame({ txid: '1', topic: 'V', payload: vehicleData() }));
    await client.messages(1);
    expect(sink.records[0]!.metadata.device_client_version).toBe('2025.2.6');
  });

});
