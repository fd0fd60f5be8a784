import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { createDevPki, type CertifiedKey, type DevPki } from '@fleet-telemetry/dev-pki';

export interface CheckPki {
  readonly pki: DevPki;
  readonly dir: string;
  readonly root: CertifiedKey;
  /** The intermediate that signs the server certificates. */
  readonly issuing: CertifiedKey;
  dispose(): void;
}

/** A development PKI in a fresh temporary directory. */
export async function createCheckPki(): Promise<CheckPki> {
  const dir = mkdtempSync(join(tmpdir(), 'check-server-cert-'));
  const pki = await createDevPki(join(dir, 'pki'), { vehicles: 1 });
  const read = (file: string): string => readFileSync(file, 'utf8');
  return {
    pki,
    dir,
    root: { cert: read(pki.caFile), key: read(pki.caKeyFile) },
    issuing: { cert: read(pki.issuingCaFile), key: read(pki.issuingCaKeyFile) },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const pem = (...blocks: readonly string[]): string => blocks.map((block) => `${block.trim()}\n`).join('');

export interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

async function listen(server: NetServer): Promise<Listening> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TLS server on 127.0.0.1 presenting `cert` (leaf, then whatever chain it should send). */
export function startTlsServer(certificate: CertifiedKey, options: TlsOptions = {}): Promise<Listening> {
  const server = createTlsServer({ cert: certificate.cert, key: certificate.key, ...options }, (socket) => socket.end());
  // Clients this server refuses are no concern of the tests.
  server.on('tlsClientError', () => {});
  return listen(server);
}

/** A plain TCP server answering like an HTTP server: not TLS. */
export function startPlainHttpServer(): Promise<Listening> {
  return listen(
    createNetServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'));
    }),
  );
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = await listen(createNetServer());
  await server.close();
  return server.port;
}
