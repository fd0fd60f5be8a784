import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { decodeEnvelope, encodeAck } from '@fleet-telemetry/codec';
import { createTlsOptions } from '@fleet-telemetry/transport';
import { WebSocketServer } from 'ws';
import type { RunningTarget, TargetSettings } from './protocol.js';

/**
 * The ceiling: the same TLS setup as our server (same certificates, CA list, client certificate
 * required and verified, same Node), a bare `ws` server, and for each binary frame an ack-sized
 * answer. The answer carries the frame's txid and topic, the least the simulator needs to match
 * it; no identity, transform, routing, metrics or limits.
 */
export async function startEchoServer(settings: TargetSettings): Promise<RunningTarget> {
  const tls = createTlsOptions({
    serverCert: join(settings.pkiDir, 'server.pem'),
    serverKey: join(settings.pkiDir, 'server-key.pem'),
    caFile: join(settings.pkiDir, 'chain.pem'),
  });
  const https = createServer({ ...tls, ca: [...tls.ca] });
  const wss = new WebSocketServer({ server: https, perMessageDeflate: false, maxPayload: 1_048_576 });
  wss.on('connection', (socket) => {
    socket.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      const envelope = decodeEnvelope(data);
      socket.send(encodeAck(envelope.txid, envelope.topic));
    });
  });
  https.listen(0, settings.host);
  await once(https, 'listening');
  const { port } = https.address() as AddressInfo;
  return {
    port,
    connections: () => wss.clients.size,
    metrics: async () => ({}),
    async close() {
      for (const socket of wss.clients) socket.terminate();
      wss.close();
      https.closeAllConnections();
      await new Promise<void>((resolve) => https.close(() => resolve()));
    },
  };
}
