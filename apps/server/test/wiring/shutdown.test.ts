import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { ManualSink } from '@fleet-telemetry/sink-api/testing';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/config/index.js';
import { PrometheusTextReader } from '../../src/metrics/reader.js';
import { startServer } from '../../src/server.js';
import { sinkCatalog, sinkFactories, type SinkFactories } from '../../src/sinks/registry.js';
import { freePort, httpGet } from '../process/harness.js';
import { connectVehicle } from '../process/vehicle.js';

/** A confirming sink that delivers what it holds when flushed, and notes the order of calls. */
class FlushingSink extends ManualSink {
  readonly calls: string[] = [];

  override async flush(timeoutMs: number): Promise<void> {
    this.calls.push(`flush after ${this.written.length} records`);
    this.confirmAll();
    await super.flush(timeoutMs);
  }

  override async close(): Promise<void> {
    this.calls.push('close');
    await super.close();
  }
}

describe('startServer and stop', () => {
  let pki: DevPki;

  beforeAll(async () => {
    pki = await createDevPki(join(mkdtempSync(join(tmpdir(), 'ft-shutdown-')), 'pki'), { vehicles: 1 });
  });

  it('acks what the sockets read, dispatches their disconnects, then flushes and closes the sinks', async () => {
    const sink = new FlushingSink({ name: 'kafka' });
    const factories: SinkFactories = { ...sinkFactories, kafka: { confirmsWrites: true, create: () => sink } };
    const statusPort = await freePort();
    const loaded = parseServerConfig(
      JSON.stringify({
        host: '127.0.0.1',
        port: await freePort(),
        status_port: statusPort,
        kafka: {},
        reliable_ack_sources: { V: 'kafka' },
        records: { V: ['kafka'], connectivity: ['kafka'] },
        tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: pki.chainFile },
      }),
      { sinks: sinkCatalog(factories) },
    );
    const server = await startServer({
      loaded,
      logger: pino({ level: 'silent' }),
      metricsReader: new PrometheusTextReader(),
      sinkFactories: factories,
      shutdownTimeouts: { drainMs: 10_000, flushMs: 1_000 },
    });

    const vehicle = await connectVehicle(pki, server.port, 'cellular');
    vehicle.sendVehicleData('tx-1', 'Wile E.');
    await until(() => sink.written.length === 2);

    // The V record waits for the sink's confirmation; shutdown must hold the socket open for its
    // ack (a while after shutdown began, the sockets must still be there to send it).
    const stopping = server.stop();
    setTimeout(() => sink.confirmAll(), 200);
    const ack = await vehicle.answer('tx-1');
    expect(new TextDecoder().decode(ack.topic)).toBe('V');
    expect(await vehicle.closed).toBe(1001);
    await stopping;

    expect(sink.written.map((record) => record.recordType)).toEqual(['connectivity', 'V', 'connectivity']);
    expect(sink.calls).toEqual(['flush after 3 records', 'close']);
    expect(sink.confirmed).toHaveLength(3);
    await expect(httpGet(`http://127.0.0.1:${statusPort}/status`)).rejects.toThrow(/ECONNREFUSED/);
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
