import type { TelemetryRecord } from './record.js';

/** How a record's ack is decided, as returned by `RecordDispatcher.dispatch`. */
export type DispatchResult =
  /** Written (or handed) to every sink of its type; no reliable-ack source: ack the vehicle now. */
  | 'ack-now'
  /** Waiting for the reliable-ack sink(s): `onAck` will be called exactly once. */
  | 'ack-pending'
  /** No sink is configured for the record type: nothing was written. */
  | 'no-route';

export type AckOutcome =
  | { readonly ok: true }
  /** A sink that had to confirm the record failed to write it: the vehicle must not be acked. */
  | { readonly ok: false; readonly error: Error; readonly sink: string };

/** What the transport needs from the router: dispatching, ack decisions and pushback. */
export interface RecordDispatcher {
  hasRoute(recordType: string): boolean;
  dispatch(record: TelemetryRecord, onAck: (outcome: AckOutcome) => void): DispatchResult;
  /** True while any sink wants producers to stop feeding it. */
  isSaturated(): boolean;
  /** Called when no sink is saturated any more. Returns an unsubscribe. */
  onDrain(listener: () => void): () => void;
  /**
   * Counts what became of a reliably acked record once `onAck` reported `ok`: the ack was `sent`
   * to the vehicle, or `missed` because its socket had closed meanwhile.
   */
  reportAck?(recordType: string, result: 'sent' | 'missed'): void;
}
