import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAck, encodeErrorResponse, viewToString } from '@fleet-telemetry/codec';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSimulation, type Progress, type SimulationOptions } from '../src/index.js';
import { startTestServer, type Responder, type TestServer } from './support/test-server.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const vehicles = 3;
const frames = 20;

const ack: Responder = (envelope) => [encodeAck(envelope.txid, envelope.topic)];

let pkiDir: string;
let pki: DevPki;
let server: TestServer | undefined;

beforeAll(async () => {
  pkiDir = await mkdtemp(join(tmpdir(), 'vehicle-sim-'));
  pki = await createDevPki(pkiDir, { vehicles });
});

afterAll(async () => {
  await rm(pkiDir, { recursive: true, force: true });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function simulate(respond: Responder, options: SimulationOptions = {}) {
  server = await startTestServer(pki, respond);
  const summary = await runSimulation({
    url: server.url,
    pkiDir,
    vehicles,
    rate: 100,
    frames,
    connectRate: 1_000,
    timeoutMs: 2_000,
    seed: 1,
    ...options,
  });
  return { summary, server };
}

describe('runSimulation against an mTLS WebSocket server', () => {
  it('gets every frame acked when the server acks everything', async () => {
    const progress: Progress[] = [];
    const { summary, server } = await simulate(ack, {
      onProgress: (update) => progress.push(update),
      progressIntervalMs: 50,
    });
    expect(summary).toMatchObject({
      vehicles,
      connected: vehicles,
      connectFailures: 0,
      disconnects: 0,
      sent: vehicles * frames,
      acked: vehicles * frames,
      errors: 0,
      unanswered: 0,
      unknownTxid: 0,
      duplicates: 0,
      topicMismatches: 0,
      malformed: 0,
      ok: true,
    });
    expect(server.frames).toHaveLength(vehicles * frames);
    const topics = summary.byTopic;
    expect(topics.V!.sent + topics.alerts!.sent + topics.errors!.sent).toBe(vehicles * frames);
    expect(topics.V!.sent).toBe(vehicles * 16);
    expect(topics.V!.acked).toBe(topics.V!.sent);
    expect(summary.latencyMs.p50).toBeGreaterThan(0);
    expect(summary.latencyMs.max).toBeGreaterThanOrEqual(summary.latencyMs.p99);
    expect(summary.achievedRatePerVehicle).toBeGreaterThan(0);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ sent: vehicles * frames, acked: vehicles * frames, inFlight: 0 });
  });

  it('connects every vehicle with its own certificate and the vehicle headers', async () => {
    const { server } = await simulate(ack, { networkInterface: 'cellular', clientVersion: '2025.2.6' });
    const commonNames = server.connections.map((connection) => connection.commonName).sort();
    expect(commonNames).toEqual(pki.vehicles.map((vehicle) => vehicle.vin).sort());
    for (const { headers } of server.connections) {
      expect(headers['x-txid']).toMatch(uuid);
      expect(headers['x-network-interface']).toBe('cellular');
      expect(headers['version']).toBe('2025.2.6');
      expect(headers['user-agent']).toMatch(/^fleet-telemetry-sim\//);
    }
  });

  it('sends envelopes with unique txids that name the sending vehicle', async () => {
    const { server } = await simulate(ack);
    const txids = new Set(server.frames.map(({ envelope }) => viewToString(envelope.txid)));
    expect(txids.size).toBe(vehicles * frames);
    for (const { commonName, envelope } of server.frames) {
      expect(viewToString(envelope.txid)).toMatch(uuid);
      expect(['V', 'alerts', 'errors']).toContain(viewToString(envelope.topic));
      expect(viewToString(envelope.stream!.senderId)).toBe(`vehicle_device.${commonName}`);
      expect(viewToString(envelope.stream!.deviceType)).toBe('vehicle_device');
      expect(viewToString(envelope.stream!.deviceId)).toBe(commonName);
      expect(envelope.messageId.length).toBeGreaterThan(0);
      expect(envelope.stream!.payload.length).toBeGreaterThan(0);
    }
  });

  it('counts error responses as errors and fails the run', async () => {
    const { summary } = await simulate((envelope) => [encodeErrorResponse(envelope.txid)]);
    expect(summary).toMatchObject({ sent: vehicles * frames, acked: 0, errors: vehicles * frames, unanswered: 0 });
    expect(summary.ok).toBe(false);
  });

  it('counts frames left without an answer once the timeout is over', async () => {
    const { summary } = await simulate((envelope, index) => (index % 4 === 0 ? [] : ack(envelope, index)), {
      timeoutMs: 200,
    });
    expect(summary.unanswered).toBe((vehicles * frames) / 4);
    expect(summary.acked).toBe(summary.sent - summary.unanswered);
    expect(summary.ok).toBe(false);
  });

  it('holds each vehicle at maxInFlight unanswered frames', async () => {
    // Never answered: the vehicles stop at 5 frames each until the run is aborted.
    const { summary, server } = await simulate(() => [], { maxInFlight: 5, signal: AbortSignal.timeout(300), timeoutMs: 100 });
    expect(summary.sent).toBe(vehicles * 5);
    expect(server.frames).toHaveLength(vehicles * 5);
    expect(summary.unanswered).toBe(vehicles * 5);
  });

  it('with startTogether, sends nothing until every vehicle is connected', async () => {
    let connectedAtFirstFrame = -1;
    const { summary } = await simulate(
      (envelope, index) => {
        if (index === 0) connectedAtFirstFrame = server?.connections.length ?? -1;
        return ack(envelope, index);
      },
      // A slow ramp: without the barrier the first vehicle would send long before the last connects.
      { startTogether: true, connectRate: 10 },
    );
    expect(summary.ok).toBe(true);
    expect(connectedAtFirstFrame).toBe(vehicles);
  });

  it('counts duplicate answers, foreign txids and acks for the wrong topic', async () => {
    const { summary } = await simulate((envelope, index) => {
      if (index === 0) return [...ack(envelope, index), ...ack(envelope, index)];
      if (index === 1) return [encodeAck('not-a-txid-we-sent', envelope.topic), ...ack(envelope, index)];
      if (index === 2) return [encodeAck(envelope.txid, 'connectivity')];
      if (index === 3) return [Buffer.from('definitely not an envelope'), ...ack(envelope, index)];
      return ack(envelope, index);
    });
    expect(summary).toMatchObject({ duplicates: 1, unknownTxid: 1, topicMismatches: 1, malformed: 1, unanswered: 0 });
    expect(summary.acked).toBe(vehicles * frames - 1);
    expect(summary.ok).toBe(false);
  });

  it('counts a server that cannot be reached as connect failures', async () => {
    server = await startTestServer(pki, ack);
    const url = server.url;
    await server.close();
    server = undefined;
    const summary = await runSimulation({ url, pkiDir, vehicles, rate: 10, frames: 5, timeoutMs: 100 });
    expect(summary).toMatchObject({ connected: 0, connectFailures: vehicles, sent: 0, ok: false });
    expect(Object.values(summary.connectFailureReasons).reduce((a, b) => a + b, 0)).toBe(vehicles);
  });

  it('stops sending when aborted and still reports', async () => {
    const stop = new AbortController();
    server = await startTestServer(pki, (envelope, index) => {
      if (index === 10) stop.abort();
      return ack(envelope, index);
    });
    const summary = await runSimulation({ url: server.url, pkiDir, vehicles, rate: 200, signal: stop.signal });
    expect(summary.sent).toBeGreaterThanOrEqual(10);
    expect(summary.acked).toBe(summary.sent);
    expect(summary.ok).toBe(true);
  });
});
