import { FailingSink, ManualSink, MemorySink } from '@fleet-telemetry/sink-api/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type VehicleClient } from './support/client.js';
import { readResponse, streamFrame, vehicleData } from './support/frames.js';
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

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200));

/** Frames larger than a TLS record, so a paused socket cannot have many of them already decrypted. */
function bulkyFrame(txid: string): Uint8Array {
  return streamFrame({ txid, topic: 'bulk', payload: new Uint8Array(40_000).fill(7) });
}

describe('reliable acks', () => {
  it('acks only once the reliable-ack sink confirmed the record', async () => {
    const kafka = new ManualSink({ name: 'kafka' });
    running = await startServer(pki, { routes: { V: [kafka] }, reliableAck: { V: 'kafka' } });
    client = await running.connect();
    client.send(streamFrame({ txid: 'r-1', topic: 'V', payload: vehicleData() }));
    client.send(streamFrame({ txid: 'r-2', topic: 'V', payload: vehicleData() }));
    await eventually(() => kafka.pending === 2, 'two pending writes');
    expect(client.received).toHaveLength(0);
    kafka.confirm();
    const [first] = await client.messages(1);
    expect(readResponse(first!)).toMatchObject({ kind: 'ack', txid: 'r-1', topic: 'V' });
    kafka.confirm();
    const [, second] = await client.messages(2);
    expect(readResponse(second!)).toMatchObject({ kind: 'ack', txid: 'r-2' });
    expect(await running.metrics.value('reliable_ack', { record_type: 'V', dispatcher: 'kafka' })).toBe(2);
  });

  it('never acks a record the sink failed to write', async () => {
    const failing = new FailingSink({ name: 'kafka' });
    const memory = new MemorySink({ confirmsWrites: false });
    running = await startServer(pki, { routes: { V: [failing], alerts: [memory] }, reliableAck: { V: 'kafka' } });
    client = await running.connect();
    client.send(streamFrame({ txid: 'lost', topic: 'V', payload: vehicleData() }));
    // A later frame on another route proves the first one was answered (or not) by now.
    const { alerts } = await import('./support/frames.js');
    client.send(streamFrame({ txid: 'later', topic: 'alerts', payload: alerts('') }));
    await client.messages(1);
    await eventually(async () => (await running!.metrics.value('dispatch_total', { record_type: 'V' })) === 1, 'dispatch');
    await settle();
    expect(client.received.map((frame) => readResponse(frame).txid)).toEqual(['later']);
  });

  it('counts a confirmation whose socket is gone as reliable_ack_miss', async () => {
    const kafka = new ManualSink({ name: 'kafka' });
    running = await startServer(pki, { routes: { V: [kafka] }, reliableAck: { V: 'kafka' } });
    const disconnected = new Promise((resolve) => running!.server.once('disconnected', resolve));
    client = await running.connect();
    client.send(streamFrame({ txid: 'orphan', topic: 'V', payload: vehicleData() }));
    await eventually(() => kafka.pending === 1, 'the pending write');
    await client.close();
    await disconnected;
    kafka.confirm();
    expect(await running.metrics.value('reliable_ack_miss', { record_type: 'V', dispatcher: 'kafka' })).toBe(1);
    expect(await running.metrics.value('reliable_ack', { record_type: 'V' })).toBe(0);
  });
});

describe('backpressure', () => {
  it('stops reading every socket while the dispatcher is saturated and resumes when it drains', async () => {
    const sink = new ManualSink({ name: 'slow', highWaterMark: 3 });
    running = await startServer(pki, { routes: { bulk: [sink] } });
    client = await running.connect();
    const total = 60;
    for (let index = 0; index < total; index += 1) client.send(bulkyFrame(`b-${index}`));
    const socket = running.server.sockets()[0]!;
    await eventually(() => sink.isSaturated(), 'the sink to saturate');
    await eventually(() => socket.isPaused, 'the socket to pause');
    const whileSaturated = socket.framesReceived;
    await settle();
    expect(socket.framesReceived).toBe(whileSaturated);
    expect(whileSaturated).toBeLessThan(total);
    // Each drain lets a few more frames in until all have been read.
    while (sink.written.length < total) {
      sink.confirmAll();
      await eventually(() => sink.isSaturated() || sink.written.length === total, 'more frames');
    }
    sink.confirmAll();
    await client.messages(total);
    expect(sink.written.map((record) => record.txid)).toEqual(Array.from({ length: total }, (_, index) => `b-${index}`));
  });

  it('stops reading a socket with too many records awaiting reliable acks', async () => {
    const kafka = new ManualSink({ name: 'kafka' });
    running = await startServer(pki, {
      routes: { bulk: [kafka] },
      reliableAck: { bulk: 'kafka' },
      limits: { maxPendingAcks: 4 },
    });
    client = await running.connect();
    const total = 40;
    for (let index = 0; index < total; index += 1) client.send(bulkyFrame(`p-${index}`));
    const socket = running.server.sockets()[0]!;
    await eventually(() => kafka.pending >= 4 && socket.isPaused, 'the socket to pause');
    const whilePaused = socket.framesReceived;
    await settle();
    expect(socket.framesReceived).toBe(whilePaused);
    expect(kafka.pending).toBeLessThan(total);
    while (client.received.length < total) {
      kafka.confirmAll();
      await eventually(() => kafka.pending > 0 || client!.received.length === total, 'more frames');
    }
    expect(client.received.map((frame) => readResponse(frame).txid)).toEqual(
      Array.from({ length: total }, (_, index) => `p-${index}`),
    );
  });

  it('stops reading a socket whose client does not read its acks', async () => {
    const sink = new MemorySink({ confirmsWrites: false });
    running = await startServer(pki, { routes: { bulk: [sink] }, limits: { maxBufferedBytes: 64 * 1024 } });
    client = await running.connect();
    // Long txids make long acks, enough to fill the loopback buffers when the client stops reading.
    const total = 80;
    const txid = (index: number): string => `${index}-`.padEnd(150_000, 'x');
    client.ws.pause();
    for (let index = 0; index < total; index += 1) {
      client.send(streamFrame({ txid: txid(index), topic: 'bulk', payload: new Uint8Array(1) }));
    }
    const socket = running.server.sockets()[0]!;
    await eventually(() => socket.isPaused, 'the socket to pause');
    const whilePaused = socket.framesReceived;
    await settle();
    expect(socket.framesReceived).toBe(whilePaused);
    expect(whilePaused).toBeLessThan(total);
    client.ws.resume();
    const acks = await client.messages(total);
    expect(acks.map((ack) => readResponse(ack).txid)).toEqual(Array.from({ length: total }, (_, index) => txid(index)));
  });
});
