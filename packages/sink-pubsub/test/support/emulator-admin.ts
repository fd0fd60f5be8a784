import type { StoredRecord } from '@fleet-telemetry/sink-api/conformance';

/** A message as a subscriber receives it. */
export interface PulledMessage extends StoredRecord {
  readonly payload: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
  readonly messageId: string;
}

interface PullResponse {
  receivedMessages?: Array<{ ackId: string; message: { data?: string; attributes?: Record<string, string>; messageId: string } }>;
}

/**
 * Sets up topics and subscriptions through the emulator's REST API, independent of the client
 * library under test, and reads subscriptions to their current end.
 */
export class EmulatorAdmin {
  readonly #root: string;

  constructor(
    host: string,
    readonly projectId: string,
  ) {
    this.#root = `http://${host}/v1/projects/${projectId}`;
  }

  async createTopic(topic: string): Promise<void> {
    await this.#call('PUT', `topics/${topic}`, undefined, [200, 409]);
  }

  async deleteTopic(topic: string): Promise<void> {
    await this.#call('DELETE', `topics/${topic}`, undefined, [200, 404]);
  }

  async topicExists(topic: string): Promise<boolean> {
    const response = await fetch(`${this.#root}/topics/${topic}`);
    await response.text();
    return response.status === 200;
  }

  /** A subscription that reads the topic from now on. */
  async subscribe(topic: string, subscription: string): Promise<SubscriptionReader> {
    await this.#call('PUT', `subscriptions/${subscription}`, { topic: `projects/${this.projectId}/topics/${topic}`, ackDeadlineSeconds: 60 }, [200, 409]);
    return new SubscriptionReader(this, subscription);
  }

  /** Pulls what is available now (never waits for more) and acknowledges it. */
  async pullAvailable(subscription: string): Promise<PulledMessage[]> {
    const messages: PulledMessage[] = [];
    for (;;) {
      const page = (await this.#call('POST', `subscriptions/${subscription}:pull`, { maxMessages: 1000, returnImmediately: true })) as PullResponse;
      const received = page.receivedMessages ?? [];
      if (received.length === 0) return messages;
      for (const { message } of received) {
        messages.push({
          payload: new Uint8Array(Buffer.from(message.data ?? '', 'base64')),
          metadata: message.attributes ?? {},
          messageId: message.messageId,
        });
      }
      await this.#call('POST', `subscriptions/${subscription}:acknowledge`, { ackIds: received.map((entry) => entry.ackId) });
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

/** Everything a subscription received so far: each read pulls what is new and keeps it. */
export class SubscriptionReader {
  readonly #seen: PulledMessage[] = [];
  #reading: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly admin: EmulatorAdmin,
    readonly subscription: string,
  ) {}

  /** One read at a time: concurrent pulls would split the new messages between them. */
  readAll(): Promise<readonly PulledMessage[]> {
    const read = this.#reading.then(async () => {
      this.#seen.push(...(await this.admin.pullAvailable(this.subscription)));
      return [...this.#seen];
    });
    this.#reading = read.catch(() => {});
    return read;
  }
}
