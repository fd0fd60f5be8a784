import { summedCounter, type SummedCounter } from '@fleet-telemetry/sink-api';
import { metrics, type Counter, type MeterProvider, type UpDownCounter } from '@opentelemetry/api';

export const meterName = '@fleet-telemetry/transport';

/**
 * The transport's instruments. Names and labels are the reference server's: existing dashboards
 * query them. `signal_count` and `vin_signal_count` are gauges there, hence up-down counters here.
 */
export interface TransportMetrics {
  readonly recordTotal: SummedCounter<{ record_type: string }>;
  readonly recordSizeBytesTotal: SummedCounter<{ record_type: string }>;
  readonly rateLimitExceededTotal: Counter<{ device_id: string; txtype: string }>;
  readonly recordTooBigTotal: Counter;
  readonly unauthorizedSenderIdTotal: Counter;
  readonly unknownMessageTypeErrorTotal: Counter<{ msg_type: string }>;
  readonly unexpectedRecordErrTotal: Counter;
  readonly socketErrTotal: Counter;
  readonly signalCount: SummedCounter<{ record_type: string }>;
  readonly vinSignalCount: UpDownCounter<{ record_type: string; vin: string }>;
}

/** Creates the instruments on `meterProvider` (the global one by default). */
export function createTransportMetrics(meterProvider: MeterProvider = metrics.getMeterProvider()): TransportMetrics {
  const meter = meterProvider.getMeter(meterName);
  return {
    recordTotal: summedCounter(meter, 'record_total', { description: 'The number of records processed.' }),
    recordSizeBytesTotal: summedCounter(meter, 'record_size_bytes_total', {
      description: 'The total number of record bytes processed.',
      unit: 'By',
    }),
    rateLimitExceededTotal: meter.createCounter('rate_limit_exceeded_total', {
      description: 'The number of times a client has been rate limited.',
    }),
    recordTooBigTotal: meter.createCounter('record_too_big_total', {
      description: 'The number of times the record was too large.',
    }),
    unauthorizedSenderIdTotal: meter.createCounter('unauthorized_sender_id_total', {
      description: 'The number of times the sender was not authorized.',
    }),
    unknownMessageTypeErrorTotal: meter.createCounter('unknown_message_type_error_total', {
      description: 'The number of times the message type was not known.',
    }),
    unexpectedRecordErrTotal: meter.createCounter('unexpected_record_err_total', {
      description: 'The number of unexpected records received.',
    }),
    socketErrTotal: meter.createCounter('socket_err_total', { description: 'The number of socket errors.' }),
    signalCount: summedCounter(meter, 'signal_count', {
      description: 'Total number of signals received per record type',
      upDown: true,
    }),
    vinSignalCount: meter.createUpDownCounter('vin_signal_count', {
      description: 'Total number of signals received per vin per record type',
    }),
  };
}
