/**
 * Opens many idle mTLS WebSockets to one server and holds them until the benchmark stops it.
 * A few vehicle certificates are shared by all sockets; each socket still does its own handshake
 * and sends the headers a vehicle sends.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import { createDevPki } from '@fleet-telemetry/dev-pki';
import WebSocket from 'ws';
import { emitToParent, serveParent, settingsFromArgv } from '../ipc.js';
import type { IdleEvents, IdleProtocol, IdleSettings, IdleState } from './protocol.js';

const settings = settingsFromArgv<IdleSettings>();
const pki = await createDevPki(settings.pkiDir, { vehicles: settings.certificates });
const ca = await readFile(pki.caFile);
// One TLS context per certificate: parsing a key for every socket would make this process, not
// the server, the bottleneck of the ramp.
const contexts: SecureContext[] = await Promise.all(
  pki.vehicles.map(async (vehicle) =>
    createSecureContext({ cert: await readFile(vehicle.certFile), key: await readFile(vehicle.keyFile), ca }),
  ),
);

const sockets = new Set<WebSocket>();
let failures = 0;
let stopping = false;

function report(status: IdleState['status'], reason?: string): void {
  const state: IdleState = { status, open: sockets.size, failures, target: settings.connections, ...(reason ? { reason } : {}) };
  emitToParent<IdleEvents, 'state'>('state', state);
}

function openOne(index: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    // ws hands its options on to tls.connect, which takes a ready context (ws's types omit it).
    const options: WebSocket.ClientOptions & Pick<ConnectionOptions, 'secureContext'> = {
      secureContext: contexts[index % contexts.length],
      handshakeTimeout: settings.handshakeTimeoutMs,
      perMessageDeflate: false,
      headers: { 'X-TXID': randomUUID(), 'X-Network-Interface': 'wifi', Version: '2024.44.25.3' },
    };
    const socket = new WebSocket(settings.url, options);
    socket.once('open', () => {
      sockets.add(socket);
      resolve(undefined);
    });
    socket.once('error', (error) => resolve(error.message));
    socket.once('close', () => {
      if (sockets.delete(socket) && !stopping) {
        report('failed', 'the server closed an idle socket');
      }
      resolve('closed during the handshake');
    });
  });
}

async function openWithRetries(index: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const failure = await openOne(index);
    if (failure === undefined) return;
    failures++;
    if (attempt >= settings.attempts) throw new Error(`socket ${index}: ${failure}`);
  }
}

const reporter = setInterval(() => report('opening'), 1_000);

async function openAll(): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < settings.connections && !stopping) await openWithRetries(next++);
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, settings.connections) }, worker));
}

serveParent<IdleProtocol>({
  async stop() {
    stopping = true;
    clearInterval(reporter);
    for (const socket of sockets) socket.terminate();
    setImmediate(() => process.exit(0));
    return null;
  },
});
process.on('SIGTERM', () => process.exit(0));

openAll().then(
  () => {
    clearInterval(reporter);
    if (!stopping) report('ready');
  },
  (error: Error) => {
    clearInterval(reporter);
    report('failed', error.message);
  },
);
