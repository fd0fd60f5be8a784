import type { RecordDispatcher } from '@fleet-telemetry/sink-api';

/**
 * The dispatcher the transport feeds. `reportAck`, when the dispatcher has it (the sink-api
 * `RecordRouter` does), hears whether each confirmed record's ack reached its socket, which is what
 * `reliable_ack` and `reliable_ack_miss` count.
 */
export interface TransportDispatcher extends RecordDispatcher {
  reportAck?(recordType: string, result: 'sent' | 'missed'): void;
}
