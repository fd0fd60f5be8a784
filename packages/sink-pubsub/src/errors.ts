/** A record that was not published. `code` is the gRPC status code when the service gave one. */
export class PubSubDeliveryError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PubSubDeliveryError';
  }
}

/** The sink already held as many records as it may; the record was not accepted. */
export class PubSubOverflowError extends Error {
  constructor(readonly limit: string) {
    super(`pubsub: ${limit} already pending; the record was not accepted`);
    this.name = 'PubSubOverflowError';
  }
}

/** `start()` could not find or create a topic. */
export class PubSubConnectionError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PubSubConnectionError';
  }
}

/** A record Pub/Sub would refuse (over its 10 MB message limit); it was never sent. */
export class PubSubRecordRejectedError extends Error {
  constructor(reason: string) {
    super(`pubsub: record not sent: ${reason}`);
    this.name = 'PubSubRecordRejectedError';
  }
}
