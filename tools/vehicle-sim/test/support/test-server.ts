import { readFile } from 'node:fs/promises';
import type { EnvelopeView } from '@fleet-telemetry/codec';
import type { DevPki } from '@fleet-telemetry/dev-pki';
import { startAckServer, type AckServerConnection } from '../../src/ack-server.js';

export interface ReceivedFrame {
  readonly commonName: string;
  readonly envelope: EnvelopeView;
}

/** Decides the answer frames to the `index`-th frame the server received. */
export type Responder = (envelope: EnvelopeView, index: number) => readonly Uint8Array[];

export interface TestServer {
  readonly url: string;
  readonly connections: AckServerConnection[];
  readonly frames: ReceivedFrame[];
  close(): Promise<void>;
}

/** The ack server on the development PKI, recording every connection and frame. */
export async function startTestServer(pki: DevPki, respond: Responder): Promise<TestServer> {
  const connections: AckServerConnection[] = [];
  const frames: ReceivedFrame[] = [];
  const server = await startAckServer({
    cert: await readFile(pki.serverCertFile),
    key: await readFile(pki.serverKeyFile),
    ca: await readFile(pki.chainFile),
    onConnection: (connection) => connections.push(connection),
    respond: (envelope, connection) => {
      const index = frames.length;
      // Keep copies: recorded frames must not depend on the socket's receive buffers.
      frames.push({ commonName: connection.commonName, envelope: copyEnvelope(envelope) });
      return respond(envelope, index);
    },
  });
  return { url: server.url, connections, frames, close: () => server.close() };
}

function copyEnvelope(envelope: EnvelopeView): EnvelopeView {
  const copy = (bytes: Uint8Array) => Uint8Array.from(bytes);
  return {
    txid: copy(envelope.txid),
    topic: copy(envelope.topic),
    messageType: envelope.messageType,
    messageId: copy(envelope.messageId),
    stream: envelope.stream && {
      ...envelope.stream,
      senderId: copy(envelope.stream.senderId),
      payload: copy(envelope.stream.payload),
      deviceType: copy(envelope.stream.deviceType),
      deviceId: copy(envelope.stream.deviceId),
    },
  };
}
