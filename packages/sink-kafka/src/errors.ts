/** A record that did not reach Kafka: refused by librdkafka, or never confirmed by a broker. */
export class KafkaDeliveryError extends Error {
  /**
   * librdkafka's error code when node-rdkafka passes one on: it does for refused records (e.g. 10
   * for a record over `message.max.bytes`), not for failed delivery reports (only their message).
   */
  readonly code: number | undefined;

  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'KafkaDeliveryError';
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === 'number' && code !== -1 ? code : undefined;
  }
}

/** librdkafka's queue was full and the sink already held as many records as it may. */
export class KafkaOverflowError extends Error {
  constructor(readonly limit: number) {
    super(`kafka queue full and ${limit} records already waiting; the record was not written`);
    this.name = 'KafkaOverflowError';
  }
}
