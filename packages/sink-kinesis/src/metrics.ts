import type { Attributes, Counter, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import type { CallOutcome } from './batcher.js';

/**
 * The sink's instruments. The first four keep the reference server's names and labels, which
 * existing dashboards query; the call counter shows how well records are batched.
 */
export class KinesisSinkMetrics {
  /** `kinesis_publish_total{record_type}`: records Kinesis confirmed. */
  readonly published: Counter;
  /** `kinesis_publish_total_bytes{record_type}`: their payload bytes. */
  readonly publishedBytes: Counter;
  /** `kinesis_err{record_type}`: records that were not written. */
  readonly errors: Counter;
  /** `kinesis_reliable_ack_total{record_type}`: confirmations handed to a waiting delivery callback. */
  readonly reliableAcks: Counter;
  /** `kinesis_put_records_calls_total{outcome}`: PutRecords calls, `ok`, `partial` (some entries failed) or `failed`. */
  readonly calls: Counter;
  /** `kinesis_retry_total{record_type,reason}`: records sent again after a failed `entry` or `call`. */
  readonly retries: Counter;
  readonly #pending: ObservableGauge;
  readonly #observePending: (result: ObservableResult) => void;
  readonly #typeAttributes = new Map<string, Attributes>();
  readonly #retryAttributes = new Map<string, Attributes>();

  constructor(meter: Meter, pendingRecords: () => number) {
    this.published = meter.createCounter('kinesis_publish_total', { description: 'The number of messages published to Kinesis.' });
    this.publishedBytes = meter.createCounter('kinesis_publish_total_bytes', {
      description: 'The number of bytes published to Kinesis.',
      unit: 'By',
    });
    this.errors = meter.createCounter('kinesis_err', { description: 'The number of errors while producing to Kinesis.' });
    this.reliableAcks = meter.createCounter('kinesis_reliable_ack_total', {
      description: 'The number of records produced to Kinesis for which we sent a reliable ACK.',
    });
    this.calls = meter.createCounter('kinesis_put_records_calls_total', {
      description: 'PutRecords calls made, by outcome (ok, partial, failed).',
    });
    this.retries = meter.createCounter('kinesis_retry_total', {
      description: 'Records sent to Kinesis again, after their entry or their whole call failed.',
    });
    this.#pending = meter.createObservableGauge('kinesis_pending_records', {
      description: 'Records accepted by the Kinesis sink and not yet written or failed.',
    });
    this.#observePending = (result) => result.observe(pendingRecords());
    this.#pending.addCallback(this.#observePending);
  }

  /** `{ record_type }`, one object per record type. */
  typeAttributes(recordType: string): Attributes {
    let attributes = this.#typeAttributes.get(recordType);
    if (attributes === undefined) {
      attributes = { record_type: recordType };
      this.#typeAttributes.set(recordType, attributes);
    }
    return attributes;
  }

  retryAttributes(recordType: string, reason: 'entry' | 'call'): Attributes {
    const key = `${reason}\u0000${recordType}`;
    let attributes = this.#retryAttributes.get(key);
    if (attributes === undefined) {
      attributes = { record_type: recordType, reason };
      this.#retryAttributes.set(key, attributes);
    }
    return attributes;
  }

  callAttributes(outcome: CallOutcome): Attributes {
    return CALL_ATTRIBUTES[outcome];
  }

  /** Stops observing a closed sink. */
  dispose(): void {
    this.#pending.removeCallback(this.#observePending);
  }
}

const CALL_ATTRIBUTES: Record<CallOutcome, Attributes> = {
  ok: { outcome: 'ok' },
  partial: { outcome: 'partial' },
  failed: { outcome: 'failed' },
};
