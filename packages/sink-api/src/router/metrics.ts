import type { Counter, Meter } from '@opentelemetry/api';
import { summedCounter, type SummedCounter } from '../summed-counter.js';

/** The router's instruments. Names match the reference server's, which existing dashboards query. */
export interface RouterMetrics {
  /** `dispatch_total{record_type}`: records handed to the sinks of their type. */
  readonly dispatched: SummedCounter;
  /** `reliable_ack{record_type,dispatcher}`: reliable acks sent to a vehicle. */
  readonly reliableAck: SummedCounter;
  /** `reliable_ack_miss{record_type,dispatcher}`: confirmed records whose socket was gone. */
  readonly reliableAckMiss: SummedCounter;
  /** `sink_write_exception_total{sink,record_type}`: `Sink.write` threw (a sink bug). */
  readonly writeExceptions: Counter;
}

export function createRouterMetrics(meter: Meter): RouterMetrics {
  return {
    dispatched: summedCounter(meter, 'dispatch_total', {
      description: 'The number of records dispatched to the sinks of their record type.',
    }),
    reliableAck: summedCounter(meter, 'reliable_ack', {
      description: 'The number of reliable acknowledgements sent to vehicles.',
    }),
    reliableAckMiss: summedCounter(meter, 'reliable_ack_miss', {
      description: 'The number of confirmed records whose vehicle socket had closed before the ack.',
    }),
    writeExceptions: meter.createCounter('sink_write_exception_total', {
      description: 'The number of times a sink threw from write instead of reporting through its callback.',
    }),
  };
}
