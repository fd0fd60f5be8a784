import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { decodeEnvelope, encodeAck, type EnvelopeView } from '@fleet-telemetry/codec';
import { WebSocketServer, type WebSocket } from 'ws';

export interface AckServerConnection {
  /** Subject CN of the client certificate (the VIN for a vehicle). */
  readonly commonName: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The answer frames (none, one or several) to one received frame. */
export type AckServerResponder = (envelope: EnvelopeView, connection: AckServerConnection) => readonly Uint8Array[];

export interface AckServerOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** CAs trusted for client certificates. */
  readonly ca: string | Buffer;
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Default: ack every frame with its txid and topic. */
  readonly respond?: AckServerResponder;
  readonly onConnection?: (connection: AckServerConnection) => void;
}

export interface AckServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const ackEverything: AckServerResponder = (envelope) => [encodeAck(envelope.txid, envelope.topic)];

/**
 * A stand-in server for the simulator itself: mTLS WebSocket, answers every frame at once (acks by
 * default), nothing else. Measures what the simulator can drive without a real server's cost, and
 * gives tests a peer whose answers they control.
 */
export async function startAckServer(options: AckServerOptions): Promise<AckServer> {
  const respond = options.respond ?? ackEverything;
  const server = createServer({
    cert: options.cert,
    key: options.key,
    ca: options.ca,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const sockets = new Set<WebSocket>();
  wss.on('connection', (socket, request) => {
    const connection: AckServerConnection = {
      commonName: String((request.socket as TLSSocket).getPeerCertificate().subject.CN),
      headers: request.headers,
    };
    options.onConnection?.(connection);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      let envelope: EnvelopeView;
      try {
        envelope = decodeEnvelope(data);
      } catch {
        return;
      }
      for (const answer of respond(envelope, connection)) socket.send(answer);
    });
  });
  const host = options.host ?? '127.0.0.1';
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `wss://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: async () => {
      for (const socket of sockets) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
