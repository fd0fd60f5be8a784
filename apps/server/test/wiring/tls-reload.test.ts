import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { createDevPki, createServerCertificate, type DevPki } from '@fleet-telemetry/dev-pki';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../src/config/index.js';
import { PrometheusTextReader } from '../../src/metrics/reader.js';
import { startServer } from '../../src/server.js';
import { sinkCatalog } from '../../src/sinks/registry.js';
import { freePort } from '../process/harness.js';
import { connectVehicle } from '../process/vehicle.js';

type LogLine = Record<string, unknown> & { msg: string };

/** Captures JSON log lines and resolves waits for a line with a given message. */
function logCapture(): { logger: pino.Logger; lines: LogLine[]; next(msg: string): Promise<LogLine> } {
  const lines: LogLine[] = [];
  const waiters = new Set<(line: LogLine) => void>();
  const logger = pino({ level: 'info' }, {
    write: (text: string) => {
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const waiter of waiters) waiter(line);
    },
  });
  const next = (msg: string): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      // A bound on the wait, not an assertion on timing.
      const timer = setTimeout(() => reject(new Error(`no ${msg} log line`)), 15_000);
      const waiter = (line: LogLine): void => {
        if (line.msg !== msg) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(line);
      };
      waiters.add(waiter);
    });
  return { logger, lines, next };
}

async function servedCertificate(port: number, pki: DevPki): Promise<X509Certificate> {
  const vehicle = pki.vehicles[0]!;
  const socket = tlsConnect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca: readFileSync(pki.caFile),
    cert: readFileSync(vehicle.certFile),
    key: readFileSync(vehicle.keyFile),
  });
  try {
    await once(socket, 'secureConnect');
    return socket.getPeerX509Certificate()!;
  } finally {
    socket.destroy();
  }
}

describe('the server watches its TLS files', () => {
  let pki: DevPki;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ft-tls-reload-'));
    pki = await createDevPki(join(dir, 'pki'), { vehicles: 1 });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves a renewed certificate to new handshakes while connected vehicles keep streaming', async () => {
    const files = { cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem'), ca: join(dir, 'ca.pem') };
    copyFileSync(pki.serverCertFile, files.cert);
    copyFileSync(pki.serverKeyFile, files.key);
    copyFileSync(pki.chainFile, files.ca);
    const log = logCapture();
    const loaded = parseServerConfig(
      JSON.stringify({
        host: '127.0.0.1',
        port: await freePort(),
        logger: {},
        records: { V: ['logger'] },
        tls: { server_cert: files.cert, server_key: files.key, ca_file: files.ca },
      }),
      { sinks: sinkCatalog() },
    );
    const server = await startServer({ loaded, logger: log.logger, metricsReader: new PrometheusTextReader() });
    try {
      const original = await servedCertificate(server.port, pki);
      const vehicle = await connectVehicle(pki, server.port, 'wifi');
      vehicle.sendVehicleData('before', 'Roadrunner');
      await vehicle.answer('before');

      const issuer = { cert: readFileSync(pki.issuingCaFile, 'utf8'), key: readFileSync(pki.issuingCaKeyFile, 'utf8') };
      const renewed = await createServerCertificate(issuer);
      const serial = new X509Certificate(renewed.cert).serialNumber;

      // A key that belongs to another certificate is refused, naming the key file.
      const refused = log.next('tls_reload_failed');
      writeFileSync(files.cert, `${renewed.cert}${issuer.cert}`);
      expect(await refused).toMatchObject({ component: 'tls', file: 'tls.server_key', path: files.key });
      expect((await servedCertificate(server.port, pki)).serialNumber).toBe(original.serialNumber);

      const reloaded = log.next('tls_reloaded');
      writeFileSync(files.key, renewed.key);
      expect(await reloaded).toMatchObject({ component: 'tls', serial, previous_serial: original.serialNumber });
      expect((await servedCertificate(server.port, pki)).serialNumber).toBe(serial);

      vehicle.sendVehicleData('after', 'Roadrunner');
      expect(new TextDecoder().decode((await vehicle.answer('after')).txid)).toBe('after');
      vehicle.close();
    } finally {
      await server.stop();
    }
  });
});
