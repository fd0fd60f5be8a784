import { summedCounter } from '@fleet-telemetry/sink-api';
import type { Attributes, Counter, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';

/** What the queue gauge observes. */
export interface QueueSizes {
  /** Records librdkafka holds (queued or in flight) without a delivery report yet. */
  readonly total: number;
  /** Records waiting in the sink because librdkafka's queue was full. */
  readonly overflow: number;
}

/**
 * The sink's instruments. Names and labels match the reference server's, which existing
 * dashboards query.
 */
export class KafkaSinkMetrics {
  /** `kafka_produce_total{record_type}`: records handed to librdkafka. */
  readonly produced: Counter;
  /** `kafka_produce_total_bytes{record_type}`: their payload bytes. */
  readonly producedBytes: Counter;
  /** `kafka_produce_ack_total{record_type}`: records the broker confirmed. */
  readonly acked: Counter;
  /** `kafka_produce_ack_total_bytes{record_type}`: their payload bytes. */
  readonly ackedBytes: Counter;
  /** `kafka_err`: records that could not be queued or that the broker never confirmed. */
  readonly errors: Counter;
  /** `kafka_reliable_ack_total{record_type}`: confirmations handed to a waiting delivery callback. */
  readonly reliableAcks: Counter;
  readonly #queueSize: ObservableGauge;
  readonly #observeQueue: (result: ObservableResult) => void;
  readonly #typeAttributes = new Map<string, Attributes>();

  constructor(meter: Meter, queueSizes: () => QueueSizes) {
    this.produced = summedCounter(meter, 'kafka_produce_total', {
      description: 'The number of records produced to Kafka.',
    });
    this.producedBytes = summedCounter(meter, 'kafka_produce_total_bytes', {
      description: 'The number of bytes produced to Kafka.',
      unit: 'By',
    });
    this.acked = summedCounter(meter, 'kafka_produce_ack_total', {
      description: 'The number of records produced to Kafka for which the broker sent an ack.',
    });
    this.ackedBytes = summedCounter(meter, 'kafka_produce_ack_total_bytes', {
      description: 'The number of bytes produced to Kafka for which the broker sent an ack.',
      unit: 'By',
    });
    this.errors = meter.createCounter('kafka_err', {
      description: 'The number of errors while producing to Kafka.',
    });
    this.reliableAcks = summedCounter(meter, 'kafka_reliable_ack_total', {
      description: 'The number of Kafka confirmations handed to a waiting delivery callback (reliable acks).',
    });
    this.#queueSize = meter.createObservableGauge('kafka_produce_queue_size', {
      description: 'Records waiting to be produced: held by librdkafka (total) or by the sink (overflow).',
    });
    this.#observeQueue = (result) => {
      const sizes = queueSizes();
      result.observe(sizes.total, TOTAL);
      result.observe(sizes.overflow, OVERFLOW);
    };
    this.#queueSize.addCallback(this.#observeQueue);
  }

  /** `{ record_type }`, one frozen object per record type (the counters recognise it by identity). */
  typeAttributes(recordType: string): Attributes {
    let attributes = this.#typeAttributes.get(recordType);
    if (attributes === undefined) {
      attributes = Object.freeze({ record_type: recordType });
      this.#typeAttributes.set(recordType, attributes);
    }
    return attributes;
  }

  /** Stops observing the queue of a closed sink. */
  dispose(): void {
    this.#queueSize.removeCallback(this.#observeQueue);
  }
}

const TOTAL: Attributes = { type: 'total' };
const OVERFLOW: Attributes = { type: 'overflow' };
