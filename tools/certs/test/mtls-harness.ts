import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';

export interface AcceptedClient {
  readonly authorized: boolean;
  readonly authorizationError: string | undefined;
  readonly peer: tls.DetailedPeerCertificate;
}

export interface MtlsServer {
  readonly port: number;
  /** Every client that completed the handshake, in order. */
  readonly accepted: AcceptedClient[];
  /** Handshake failures the server reported. */
  readonly clientErrors: Error[];
  close(): Promise<void>;
}

/** A TLS server that requires a client certificate and answers "ok" to every client it keeps. */
export async function startMtlsServer(options: {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
  readonly rejectUnauthorized: boolean;
}): Promise<MtlsServer> {
  const accepted: AcceptedClient[] = [];
  const clientErrors: Error[] = [];
  const server = tls.createServer({ ...options, requestCert: true }, (socket) => {
    accepted.push({
      authorized: socket.authorized,
      authorizationError: socket.authorizationError?.toString(),
      peer: socket.getPeerCertificate(true),
    });
    socket.end('ok');
  });
  server.on('tlsClientError', (error) => clientErrors.push(error));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    accepted,
    clientErrors,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ClientOutcome {
  /** What the server sent before the connection ended ("ok" when it kept the client). */
  readonly received: string;
  readonly error: NodeJS.ErrnoException | undefined;
  /** Whether the client verified the server certificate. */
  readonly serverAuthorized: boolean;
}

export function connectClient(
  port: number,
  options: { readonly ca: string; readonly servername?: string; readonly cert?: string; readonly key?: string },
): Promise<ClientOutcome> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options });
    let received = '';
    let error: NodeJS.ErrnoException | undefined;
    let serverAuthorized = false;
    socket.on('secureConnect', () => (serverAuthorized = socket.authorized));
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', (cause: NodeJS.ErrnoException) => (error = cause));
    socket.on('close', () => resolve({ received, error, serverAuthorized }));
  });
}
