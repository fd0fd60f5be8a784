import type { PubSub } from '@google-cloud/pubsub';

export interface FakeMessage {
  readonly topic: string;
  readonly data: Buffer;
  readonly attributes: Record<string, string>;
}

/** A gRPC-style error, as the client library rejects with. */
export function grpcError(code: number, message: string): Error {
  return Object.assign(new Error(`${code} ${message}`), { code });
}

/**
 * The part of the client the sink uses, in memory: topics exist once created; `publish` decides
 * each message's fate (default: published).
 */
export function fakePubSub(publish: (message: FakeMessage) => Promise<string> | string = () => 'id') {
  const topics = new Set<string>();
  const published: FakeMessage[] = [];
  let closed = false;
  const client = {
    topic(name: string) {
      return {
        async getMetadata() {
          if (!topics.has(name)) throw grpcError(5, 'NOT_FOUND: Topic not found');
          return [{ name }];
        },
        publishMessage(message: { data: Buffer; attributes: Record<string, string> }): Promise<string> {
          const fake = { topic: name, data: message.data, attributes: message.attributes };
          published.push(fake);
          return Promise.resolve().then(() => publish(fake));
        },
        async flush() {},
      };
    },
    async createTopic(request: { name: string }) {
      topics.add(request.name);
      return [{ name: request.name }];
    },
    async close() {
      closed = true;
    },
  };
  return {
    client: client as unknown as PubSub,
    topics,
    published,
    get closed() {
      return closed;
    },
  };
}
