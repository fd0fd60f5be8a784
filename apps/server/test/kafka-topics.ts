import { randomUUID } from 'node:crypto';
import Kafka, { type KafkaConsumer, type Message, type MessageHeader } from 'node-rdkafka';

/** A record as an independent consumer of the topic reads it. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly offset: number;
  readonly key: string | undefined;
  readonly value: Buffer;
  /** As node-rdkafka hands them over: `[{ vin: Buffer }, ...]`, what `decodeRecord` takes. */
  readonly headers: MessageHeader[];
}

const CALL_TIMEOUT_MS = 10_000;

/**
 * Reads whole topics from their first offset up to their end at the time of the call, so a test
 * sees exactly what the broker holds: nothing is waited for that is not there, nothing is missed.
 */
export class TopicReader {
  private constructor(private readonly consumer: KafkaConsumer) {}

  static async connect(bootstrapServers: string): Promise<TopicReader> {
    const consumer = new Kafka.KafkaConsumer(
      {
        'bootstrap.servers': bootstrapServers,
        'group.id': `server-test-${randomUUID()}`,
        'enable.auto.commit': false,
        // Asking for a topic must not create it: an empty result has to mean "nothing written".
        'allow.auto.create.topics': false,
      },
      { 'auto.offset.reset': 'earliest' },
    );
    await new Promise<void>((resolve, reject) => consumer.connect({ timeout: CALL_TIMEOUT_MS }, (error) => (error ? reject(error) : resolve())));
    return new TopicReader(consumer);
  }

  /** Every record of the topic, oldest first; `[]` when the topic does not exist yet. */
  async readAll(topic: string): Promise<ConsumedRecord[]> {
    const partitions = await this.partitions(topic);
    const records: ConsumedRecord[] = [];
    for (const partition of partitions) records.push(...(await this.readPartition(topic, partition)));
    return records;
  }

  /** Polls the topic until `done` accepts its records; fails after `timeoutMs`. */
  async readUntil(topic: string, done: (records: ConsumedRecord[]) => boolean, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const records = await this.readAll(topic);
      if (done(records)) return records;
      if (Date.now() > deadline) throw new Error(`${topic}: the expected records did not arrive within ${timeoutMs} ms (${records.length} there)`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.consumer.disconnect(() => resolve()));
  }

  private partitions(topic: string): Promise<number[]> {
    return new Promise((resolve, reject) =>
      this.consumer.getMetadata({ topic, timeout: CALL_TIMEOUT_MS }, (error, metadata) => {
        if (error) return reject(error);
        const found = metadata.topics.find((candidate) => candidate.name === topic);
        resolve(found === undefined || found.partitions.length === 0 ? [] : found.partitions.map((partition) => partition.id));
      }),
    );
  }

  private async readPartition(topic: string, partition: number): Promise<ConsumedRecord[]> {
    const { lowOffset, highOffset } = await new Promise<{ lowOffset: number; highOffset: number }>((resolve, reject) =>
      this.consumer.queryWatermarkOffsets(topic, partition, CALL_TIMEOUT_MS, (error, offsets) => (error ? reject(error) : resolve(offsets))),
    );
    if (highOffset <= lowOffset) return [];
    this.consumer.assign([{ topic, partition, offset: lowOffset }]);
    const records: ConsumedRecord[] = [];
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    try {
      let next = lowOffset;
      while (next < highOffset) {
        if (Date.now() > deadline) throw new Error(`${topic}[${partition}]: offset ${highOffset} not reached, stuck at ${next}`);
        for (const message of await this.consume()) {
          records.push(asRecord(message));
          next = message.offset + 1;
        }
      }
    } finally {
      this.consumer.unassign();
    }
    return records;
  }

  private consume(): Promise<Message[]> {
    return new Promise((resolve, reject) => this.consumer.consume(500, (error, messages) => (error ? reject(error) : resolve(messages))));
  }
}

function asRecord(message: Message): ConsumedRecord {
  return {
    topic: message.topic,
    offset: message.offset,
    key: message.key === undefined || message.key === null ? undefined : message.key.toString(),
    value: message.value ?? Buffer.alloc(0),
    headers: message.headers ?? [],
  };
}
