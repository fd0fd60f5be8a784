import type { LibrdKafkaError, Metadata, MetadataOptions, Producer } from 'node-rdkafka';

type MetadataCallback = (error: LibrdKafkaError | null, metadata: Metadata) => void;

const NO_METADATA: Metadata = { orig_broker_id: -1, orig_broker_name: '', brokers: [], topics: [] };

/**
 * Creates librdkafka's client without waiting for a broker.
 *
 * node-rdkafka's `connect()` creates the client and then insists on a metadata round trip,
 * tearing the client down when no broker answers in time. librdkafka itself needs no broker to
 * accept records: it queues them and keeps retrying until a broker takes them or
 * `message.timeout.ms` expires. So the round trip is answered locally for this one call, and
 * reachability is probed separately (`probeBroker`).
 */
export function connectWithoutBroker(producer: Producer): Promise<void> {
  const instance = producer as unknown as { getMetadata?: (options: MetadataOptions, callback: MetadataCallback) => void };
  instance.getMetadata = (_options, callback) => callback(null, NO_METADATA);
  return new Promise((resolve, reject) => {
    producer.connect({}, (error) => {
      // Back to the prototype's getMetadata for every later call.
      delete instance.getMetadata;
      if (error) reject(asError(error));
      else resolve();
    });
  });
}

/** Asks the cluster for its brokers: resolves with their count, or rejects when none answered in time. */
export function probeBroker(producer: Producer, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    producer.getMetadata({ timeout: timeoutMs }, (error, metadata) => {
      if (error) reject(asError(error));
      else resolve(metadata.brokers.length);
    });
  });
}

/** Flushes what librdkafka can deliver within `timeoutMs`, then destroys the client. */
export function disconnect(producer: Producer, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!producer.isConnected()) {
      resolve();
      return;
    }
    producer.disconnect(timeoutMs, () => resolve());
  });
}

/** node-rdkafka errors are Error-like objects; keep their message and code in a real Error. */
export function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const details = error as Partial<LibrdKafkaError> | undefined;
  const wrapped = new Error(details?.message ?? String(error)) as Error & { code?: number };
  if (details?.code !== undefined) wrapped.code = details.code;
  return wrapped;
}
