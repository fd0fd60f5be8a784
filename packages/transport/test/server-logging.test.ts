import { MemorySink } from '@fleet-telemetry/sink-api/testing';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { attemptConnection, eventually } from './support/client.js';
import { alerts, streamFrame, vehicleData, vin } from './support/frames.js';
import { createTestPki, type TestPki } from './support/pki.js';
import { startServer, type RunningServer } from './support/server.js';

type LogLine = Record<string, unknown> & { msg: string };

let pki: TestPki;
let running: RunningServer | undefined;

beforeAll(async () => {
  pki = await createTestPki();
  return () => pki.dispose();
});

afterEach(async () => {
  await running?.close();
  running = undefined;
});

function capture(): { logger: pino.Logger; lines: LogLine[]; named(msg: string): LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines, named: (msg) => lines.filter((line) => line.msg === msg) };
}

describe('logs', () => {
  it('logs socket_connected with the request headers and socket_disconnected with byte totals', async () => {
    const log = capture();
    const sink = new MemorySink({ confirmsWrites: false });
    running = await startServer(pki, { logger: log.logger, routes: { V: [sink], alerts: [sink] } });
    const txid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const client = await running.connect({
      headers: {
        'X-TXID': txid,
        'X-Network-Interface': 'wifi',
        Version: '2025.2.6',
        'User-Agent': 'car/2',
        'X-Forwarded-For': '203.0.113.7',
      },
    });
    client.send(streamFrame({ txid: '1', topic: 'V', payload: vehicleData() }));
    client.send(streamFrame({ txid: '2', topic: 'alerts', payload: alerts('') }));
    await client.messages(2);
    await client.close();
    await eventually(() => log.named('socket_disconnected').length === 1, 'socket_disconnected');

    expect(log.named('socket_connected')[0]).toMatchObject({
      socket_id: txid,
      txid,
      network_interface: 'wifi',
      version: '2025.2.6',
      user_agent: 'car/2',
      'X-Forwarded-For': '203.0.113.7',
      device_id: vin,
      sender_id: `vehicle_device.${vin}`,
      client_type: 'vehicle_device',
    });
    const [vBytes, alertBytes] = sink.records.map((record) => record.payload.length);
    expect(log.named('socket_disconnected')[0]).toMatchObject({
      socket_id: txid,
      device_id: vin,
      duration_sec: expect.any(Number),
      bytes_by_record_type: { V: vBytes, alerts: alertBytes },
      total: vBytes! + alertBytes!,
    });
  });

  it('logs a rejected identity with its reason, issuer and common name', async () => {
    const log = capture();
    running = await startServer(pki, { logger: log.logger });
    const certificate = await pki.fromIssuer('Acme Device CA', { vin: 'device.1' });
    await attemptConnection(running.port, running.clientOptions({ certificate }));
    expect(log.named('extract_sender_id_err')[0]).toMatchObject({
      reason: 'unknown-issuer',
      issuer: 'Acme Device CA',
      common_name: 'device.1',
    });
    expect(log.named('socket_connected')).toEqual([]);
  });

  it('logs failed TLS handshakes unless told not to', async () => {
    const loud = capture();
    running = await startServer(pki, { logger: loud.logger, suppressTlsHandshakeErrorLogging: false });
    await attemptConnection(running.port, running.clientOptions({ certificate: undefined }));
    await eventually(() => loud.named('tls_handshake_error').length > 0, 'tls_handshake_error');
    await running.close();

    const quiet = capture();
    running = await startServer(pki, { logger: quiet.logger, suppressTlsHandshakeErrorLogging: true });
    await attemptConnection(running.port, running.clientOptions({ certificate: undefined }));
    // A later, successful connection shows the server has handled the failed one by now.
    const client = await running.connect();
    client.ws.terminate();
    await eventually(() => quiet.named('socket_connected').length === 1, 'the later connection');
    expect(quiet.named('tls_handshake_error')).toEqual([]);
  });

  it('reads SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING as Go’s ParseBool does', async () => {
    const previous = process.env.SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING;
    try {
      for (const [value, suppressed] of [
        ['true', true],
        ['1', true],
        ['TRUE', true],
        ['yes', false],
        ['false', false],
      ] as const) {
        process.env.SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING = value;
        const log = capture();
        running = await startServer(pki, { logger: log.logger });
        await attemptConnection(running.port, running.clientOptions({ certificate: undefined }));
        const client = await running.connect();
        client.ws.terminate();
        await eventually(() => log.named('socket_connected').length === 1, 'the later connection');
        expect(log.named('tls_handshake_error').length > 0, `SUPPRESS…=${value}`).toBe(!suppressed);
        await running.close();
        running = undefined;
      }
    } finally {
      if (previous === undefined) delete process.env.SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING;
      else process.env.SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING = previous;
    }
  });
});
