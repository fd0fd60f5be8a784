import { connect, createServer, type Socket } from 'node:net';

/** A message as a subscriber pulls it. */
export interface PulledMessage {
  readonly data: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
}

interface PullResponse {
  receivedMessages?: Array<{ ackId: string; message: { data?: string; attributes?: Record<string, string> } }>;
}

/**
 * Topics and subscriptions of a Pub/Sub emulator through its REST API (independent of the client
 * library the server uses), and subscriptions read to their current end.
 */
export class PubSubEmulatorAdmin {
  readonly #root: string;
  readonly #received = new Map<string, PulledMessage[]>();

  constructor(
    host: string,
    readonly projectId: string,
  ) {
    this.#root = `http://${host}/v1/projects/${projectId}`;
  }

  async createTopic(topic: string): Promise<void> {
    await this.#call('PUT', `topics/${topic}`, undefined, [200, 409]);
  }

  /** A subscription `<topic>-reader` that receives the topic's messages from now on. */
  async subscribe(topic: string): Promise<void> {
    const body = { topic: `projects/${this.projectId}/topics/${topic}`, ackDeadlineSeconds: 60 };
    await this.#call('PUT', `subscriptions/${topic}-reader`, body, [200, 409]);
  }

  /**
   * Everything the topic's subscription received so far: pulls what is there now (never waits
   * for more), acknowledges it and keeps it. Callers take turns (a test awaits each read).
   */
  async readAll(topic: string): Promise<readonly PulledMessage[]> {
    const received = this.#received.get(topic) ?? [];
    this.#received.set(topic, received);
    for (;;) {
      const page = (await this.#call('POST', `subscriptions/${topic}-reader:pull`, { maxMessages: 1000, returnImmediately: true })) as PullResponse;
      const messages = page.receivedMessages ?? [];
      if (messages.length === 0) return [...received];
      for (const { message } of messages) {
        received.push({ data: new Uint8Array(Buffer.from(message.data ?? '', 'base64')), attributes: message.attributes ?? {} });
      }
      await this.#call('POST', `subscriptions/${topic}-reader:acknowledge`, { ackIds: messages.map((entry) => entry.ackId) });
    }
  }

  async #call(method: string, path: string, body?: unknown, okStatuses = [200]): Promise<unknown> {
    const response = await fetch(`${this.#root}/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!okStatuses.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text === '' ? {} : JSON.parse(text);
  }
}

/** A TCP forwarder a test can close (cutting and refusing connections) and open again. */
export interface TcpGate {
  /** `127.0.0.1:<port>` to connect to instead of the target. */
  readonly host: string;
  close(): void;
  open(): void;
  dispose(): Promise<void>;
}

/**
 * Forwards 127.0.0.1:<some port> to `targetPort`. The emulator forgets its topics when it
 * restarts; behind a closed gate the test can create them again before the server gets through.
 */
export async function tcpGate(targetPort: number): Promise<TcpGate> {
  const sockets = new Set<Socket>();
  let open = true;
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the gate has no port');
  return {
    host: `127.0.0.1:${address.port}`,
    close() {
      open = false;
      cutAll();
    },
    open() {
      open = true;
    },
    async dispose() {
      open = false;
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
