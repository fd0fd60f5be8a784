import { randomUUID } from 'node:crypto';
import Kafka, { type KafkaConsumer, type LibrdKafkaError, type Message, type MessageHeader } from 'node-rdkafka';

/** A record as a consumer of the topic sees it. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | undefined;
  readonly value: Buffer;
  readonly timestamp: number | undefined;
  /** Header name → value, in the order they came. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The headers as node-rdkafka hands them to consumers: `[{ vin: Buffer }, ...]`. */
  readonly rawHeaders: MessageHeader[];
}

const TIMEOUT_MS = 10_000;

/**
 * Reads topics from the beginning up to their current end, as an independent consumer would,
 * and never waits for records that are not there yet. Reads run one at a time.
 */
export class TopicReader {
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly consumer: KafkaConsumer) {}

  static async connect(bootstrapServers: string): Promise<TopicReader> {
    const consumer = new Kafka.KafkaConsumer(
      {
        'bootstrap.servers': bootstrapServers,
        'group.id': `sink-kafka-test-${randomUUID()}`,
        'enable.auto.commit': false,
        'allow.auto.create.topics': false,
      },
      { 'auto.offset.reset': 'earliest' },
    );
    await new Promise<void>((resolve, reject) => consumer.connect({ timeout: TIMEOUT_MS }, (error) => (error ? reject(error) : resolve())));
    consumer.setDefaultConsumeTimeout(100);
    return new TopicReader(consumer);
  }

  read(topic: string): Promise<ConsumedRecord[]> {
    const result = this.#queue.then(() => this.#read(topic));
    this.#queue = result.catch(() => {});
    return result;
  }

  async close(): Promise<void> {
    await this.#queue;
    await new Promise<void>((resolve) => this.consumer.disconnect(() => resolve()));
  }

  async #read(topic: string): Promise<ConsumedRecord[]> {
    const partitions = await this.#partitions(topic);
    const ends = new Map<number, number>();
    const assignments = [];
    for (const partition of partitions) {
      const { lowOffset, highOffset } = await this.#watermarks(topic, partition);
      if (highOffset > lowOffset) {
        ends.set(partition, highOffset);
        assignments.push({ topic, partition, offset: lowOffset });
      }
    }
    if (assignments.length === 0) return [];
    const records: ConsumedRecord[] = [];
    this.consumer.assign(assignments);
    try {
      const deadline = Date.now() + TIMEOUT_MS;
      while (ends.size > 0) {
        if (Date.now() > deadline) throw new Error(`reading ${topic}: offsets ${[...ends.values()]} not reached`);
        for (const message of await this.#consume()) {
          records.push(consumed(message));
          if (message.offset + 1 >= (ends.get(message.partition) ?? Number.POSITIVE_INFINITY)) ends.delete(message.partition);
        }
      }
    } finally {
      this.consumer.unassign();
    }
    return records;
  }

  #partitions(topic: string): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.consumer.getMetadata({ topic, timeout: TIMEOUT_MS }, (error, metadata) => {
        if (error) return reject(error);
        const found = metadata.topics.find((candidate) => candidate.name === topic);
        resolve(found?.partitions.map((partition) => partition.id) ?? []);
      });
    });
  }

  #watermarks(topic: string, partition: number): Promise<{ lowOffset: number; highOffset: number }> {
    return new Promise((resolve, reject) => {
      this.consumer.queryWatermarkOffsets(topic, partition, TIMEOUT_MS, (error, offsets) => (error ? reject(error) : resolve(offsets)));
    });
  }

  #consume(): Promise<Message[]> {
    return new Promise((resolve, reject) => {
      this.consumer.consume(1000, (error: LibrdKafkaError | null, messages: Message[]) => (error ? reject(error) : resolve(messages)));
    });
  }
}

function consumed(message: Message): ConsumedRecord {
  const headers = (message.headers ?? []).flatMap((header) =>
    Object.entries(header).map(([name, value]) => [name, value.toString()] as const),
  );
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key?.toString(),
    value: message.value ?? Buffer.alloc(0),
    timestamp: message.timestamp,
    headers,
    rawHeaders: message.headers ?? [],
  };
}
