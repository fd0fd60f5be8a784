import type { Attributes, Counter, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';

export type RetryReason = 'unreachable' | 'passing' | 'topic-missing';

/**
 * The sink's instruments. The first five keep the reference server's names and labels, which
 * existing dashboards query; the call counter shows how well the client batches.
 */
export class PubSubSinkMetrics {
  /** `pubsub_publish_total{record_type}`: records Pub/Sub confirmed. */
  readonly published: Counter;
  /** `pubsub_publish_total_bytes{record_type}`: their payload bytes. */
  readonly publishedBytes: Counter;
  /** `pubsub_err{record_type}`: records that were not published. */
  readonly errors: Counter;
  /** `pubsub_not_connected_total`: publish attempts (per record) that found Pub/Sub unreachable. */
  readonly notConnected: Counter;
  /** `pubsub_reliable_ack_total{record_type}`: confirmations handed to a waiting delivery callback. */
  readonly reliableAcks: Counter;
  /** `pubsub_publish_calls_total`: Publish RPCs (batches) made by the client the sink created. */
  readonly calls: Counter;
  /** `pubsub_retry_total{record_type,reason}`: records published again. */
  readonly retries: Counter;
  readonly #pending: ObservableGauge;
  readonly #observePending: (result: ObservableResult) => void;
  readonly #attributes = new Map<string, Attributes>();

  constructor(meter: Meter, pendingRecords: () => number) {
    this.published = meter.createCounter('pubsub_publish_total', { description: 'The number of messages published to pubsub.' });
    this.publishedBytes = meter.createCounter('pubsub_publish_total_bytes', {
      description: 'The number of bytes published to pubsub.',
      unit: 'By',
    });
    this.errors = meter.createCounter('pubsub_err', { description: 'The number of errors while publishing to pubsub.' });
    this.notConnected = meter.createCounter('pubsub_not_connected_total', {
      description: 'The number of times pubsub has not been connected when attempting to produce.',
    });
    this.reliableAcks = meter.createCounter('pubsub_reliable_ack_total', {
      description: 'The number of records published to pubsub for which we sent a reliable ACK.',
    });
    this.calls = meter.createCounter('pubsub_publish_calls_total', { description: 'Publish calls (batches of messages) made to pubsub.' });
    this.retries = meter.createCounter('pubsub_retry_total', {
      description: 'Records published to pubsub again, after it was unreachable, had a passing problem or had lost the topic.',
    });
    this.#pending = meter.createObservableGauge('pubsub_pending_records', {
      description: 'Records accepted by the pubsub sink and not yet published or failed.',
    });
    this.#observePending = (result) => result.observe(pendingRecords());
    this.#pending.addCallback(this.#observePending);
  }

  /** `{ record_type }`, one object per record type. */
  typeAttributes(recordType: string): Attributes {
    return this.#cached(recordType, () => ({ record_type: recordType }));
  }

  retryAttributes(recordType: string, reason: RetryReason): Attributes {
    return this.#cached(`${reason}\u0000${recordType}`, () => ({ record_type: recordType, reason }));
  }

  /** Stops observing a closed sink. */
  dispose(): void {
    this.#pending.removeCallback(this.#observePending);
  }

  #cached(key: string, create: () => Attributes): Attributes {
    let attributes = this.#attributes.get(key);
    if (attributes === undefined) {
      attributes = create();
      this.#attributes.set(key, attributes);
    }
    return attributes;
  }
}
