/** A record that did not reach Kinesis. `code` is the service's error code when it gave one. */
export class KinesisDeliveryError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'KinesisDeliveryError';
  }
}

/** A record Kinesis would refuse (empty or long partition key, over 1 MiB); it was never sent. */
export class KinesisRecordRejectedError extends Error {
  constructor(reason: string) {
    super(`kinesis: record not sent: ${reason}`);
    this.name = 'KinesisRecordRejectedError';
  }
}

/** The sink already held as many records as it may; the record was not accepted. */
export class KinesisOverflowError extends Error {
  constructor(readonly limit: string) {
    super(`kinesis: ${limit} already pending; the record was not accepted`);
    this.name = 'KinesisOverflowError';
  }
}

/** `start()` could not reach Kinesis. */
export class KinesisConnectionError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'KinesisConnectionError';
  }
}
