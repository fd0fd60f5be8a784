import {
  decodeEnvelope,
  encodeAck,
  encodeErrorResponse,
  EnvelopeDecodeError,
  viewToString,
  type EnvelopeView,
} from '@fleet-telemetry/codec';
import type { AckOutcome, DispatchResult, PayloadEncoding, TelemetryRecord } from '@fleet-telemetry/sink-api';
import type { Logger } from 'pino';
import type { ClientIdentity } from '../identity/identity.js';
import type { TransportMetrics } from '../metrics.js';
import type { TransportDispatcher } from '../dispatcher.js';
import { defaultSocketLimits } from './limits.js';
import { buildRecord, RecordBuildError } from './record-builder.js';
import { RecordTypeCounts } from './record-type-counts.js';

/** Where a socket's responses go. */
export interface ResponseChannel {
  /** Queues a binary response frame on the socket. */
  send(frame: Uint8Array): void;
  /** False once the socket is closing or closed: late acks are then counted as missed. */
  isOpen(): boolean;
  /** Called whenever the records awaiting a reliable ack change: their count and payload bytes. */
  pendingAcksChanged(pending: number, pendingBytes: number): void;
}

export interface FrameProcessorOptions {
  readonly socketId: string;
  readonly identity: ClientIdentity;
  /** The `Version` header: the device client version, carried in every record's metadata. */
  readonly deviceClientVersion: string;
  readonly dispatcher: TransportDispatcher;
  readonly responses: ResponseChannel;
  readonly metrics: TransportMetrics;
  readonly logger: Logger;
  /** Answers whether one more frame fits this socket's rate limit; absent means no limit. */
  readonly admitFrame?: (() => boolean) | undefined;
  readonly maxFrameBytes?: number | undefined;
  /** `json` when `transmit_decoded_records` is on. */
  readonly encoding?: PayloadEncoding | undefined;
  /** VINs whose signals are counted per VIN (`vin_signal_count`). */
  readonly trackedVins?: ReadonlySet<string> | undefined;
  /** Epoch milliseconds; injectable for tests. */
  readonly now?: (() => number) | undefined;
}

/** Beyond this many record types on one socket, a frame's type is found by its string, not its bytes. */
const maxTypesScanned = 8;

/**
 * The per-socket frame pipeline: every binary frame, in arrival order, goes through
 * size → rate limit → envelope → sender check → payload transform → dispatch, and gets its answer
 * (ack, error response, or none). Processing is synchronous, so frames cannot overtake each other;
 * only reliable acks arrive later, when the sinks confirm.
 */
export class FrameProcessor {
  readonly #options: FrameProcessorOptions;
  readonly #maxFrameBytes: number;
  readonly #encoding: PayloadEncoding;
  readonly #now: () => number;
  /** This socket's counts by record type; created with the first record: an idle connection carries none. */
  #typeCounts: Map<string, RecordTypeCounts> | undefined;
  /** The type of the previous frame: frames of one socket mostly repeat their type. */
  #lastTypeCounts: RecordTypeCounts | undefined;
  /** The socket's VIN when `vin_signal_count` tracks it: the same for every record of the socket. */
  readonly #trackedVin: string | undefined;
  #pendingAcks = 0;
  #pendingBytes = 0;

  constructor(options: FrameProcessorOptions) {
    this.#options = options;
    this.#maxFrameBytes = options.maxFrameBytes ?? defaultSocketLimits.maxFrameBytes;
    this.#encoding = options.encoding ?? 'protobuf';
    this.#now = options.now ?? Date.now;
    const vin = options.identity.deviceId;
    this.#trackedVin = options.trackedVins?.has(vin) === true ? vin : undefined;
  }

  /** Records dispatched but not yet confirmed by their reliable-ack sinks. */
  get pendingAcks(): number {
    return this.#pendingAcks;
  }

  /** Payload bytes of the records awaiting a reliable ack. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Payload bytes handed to the sinks so far, by record type (logged on disconnect). */
  get bytesByRecordType(): ReadonlyMap<string, number> {
    const bytes = new Map<string, number>();
    for (const counts of this.#typeCounts?.values() ?? []) {
      if (counts.records > 0) bytes.set(counts.recordType, counts.bytes);
    }
    return bytes;
  }

  process(frame: Uint8Array): void {
    const { metrics, logger, responses } = this.#options;
    if (frame.length > this.#maxFrameBytes) {
      metrics.recordTooBigTotal.add(1);
      const tooBig = new Error(`frame of ${frame.length} bytes exceeds ${this.#maxFrameBytes}`);
      this.#respondWithError(new Uint8Array(0), '', tooBig);
      return;
    }

    if (this.#options.admitFrame !== undefined && !this.#options.admitFrame()) {
      metrics.rateLimitExceededTotal.add(1, {
        device_id: this.#options.identity.deviceId,
        txtype: topicOf(frame),
      });
      return;
    }

    let envelope: EnvelopeView;
    try {
      envelope = decodeEnvelope(frame);
    } catch (error) {
      if (!(error instanceof EnvelopeDecodeError)) throw error;
      this.#unknownMessageType(error.envelope, error);
      return;
    }
    const stream = envelope.stream;
    if (stream === undefined) {
      this.#unknownMessageType(envelope, undefined);
      return;
    }

    const txid = viewToString(envelope.txid);
    const typeCounts = this.#typeCountsOf(envelope.topic);
    const recordType = typeCounts.recordType;
    const { identity, dispatcher } = this.#options;
    if (!dispatcher.hasRoute(recordType)) {
      const senderId = viewToString(stream.senderId);
      if (senderId !== identity.senderId && senderId !== identity.deviceId) {
        logger.error(
          { txid, record_type: recordType, sender_id: senderId, expected_sender_id: identity.senderId },
          'unauthorized_sender_id',
        );
        metrics.unauthorizedSenderIdTotal.add(1);
        // Answered as accepted, so the vehicle stops resending it.
        responses.send(encodeAck(envelope.txid, envelope.topic));
        return;
      }
    }

    let built: ReturnType<typeof buildRecord>;
    try {
      built = buildRecord({
        recordType,
        txid,
        socketId: this.#options.socketId,
        vin: identity.deviceId,
        receivedAt: this.#now(),
        payload: stream.payload,
        encoding: this.#encoding,
        deviceClientVersion: this.#options.deviceClientVersion,
      });
    } catch (error) {
      if (!(error instanceof RecordBuildError)) throw error;
      this.#respondWithError(envelope.txid, recordType, error.cause);
      return;
    }
    typeCounts.count(built.record.payload.length, built.signalCount);
    this.#dispatch(built.record, envelope);
  }

  #dispatch(record: TelemetryRecord, envelope: EnvelopeView): void {
    const { dispatcher, responses, logger } = this.#options;
    // Encoded now: the frame's bytes, and so the txid view, are not ours to keep.
    const ack = encodeAck(envelope.txid, envelope.topic);
    let state: 'dispatching' | 'pending' | 'settled' = 'dispatching';
    let early: AckOutcome | undefined;
    const onAck = (outcome: AckOutcome): void => {
      if (state === 'settled') return;
      // Sinks may confirm before dispatch returns: hold the outcome until the result is known.
      if (state === 'dispatching') {
        early ??= outcome;
        return;
      }
      state = 'settled';
      this.#changePending(-1, -record.payload.length);
      this.#deliverReliableAck(record, ack, outcome);
    };

    let result: DispatchResult;
    try {
      result = dispatcher.dispatch(record, onAck);
    } catch (error) {
      state = 'settled';
      // Not acked: the vehicle resends it.
      logger.error({ txid: record.txid, record_type: record.recordType, err: error }, 'dispatch_error');
      return;
    }
    if (result !== 'ack-pending') {
      state = 'settled';
      responses.send(ack);
    } else if (early !== undefined) {
      state = 'settled';
      this.#deliverReliableAck(record, ack, early);
    } else {
      state = 'pending';
      this.#changePending(1, record.payload.length);
    }
  }

  #deliverReliableAck(record: TelemetryRecord, ack: Uint8Array, outcome: AckOutcome): void {
    const { dispatcher, responses, logger } = this.#options;
    if (!outcome.ok) {
      // A sink lost the record: no ack, so the vehicle sends it again.
      logger.warn(
        { txid: record.txid, record_type: record.recordType, sink: outcome.sink, err: outcome.error },
        'record_not_acked',
      );
      return;
    }
    const open = responses.isOpen();
    if (open) responses.send(ack);
    dispatcher.reportAck?.(record.recordType, open ? 'sent' : 'missed');
  }

  /** The counts of the record type named by `topic`, found by its bytes where possible (no string built). */
  #typeCountsOf(topic: Uint8Array): RecordTypeCounts {
    const last = this.#lastTypeCounts;
    if (last?.matches(topic) === true) return last;
    const all = (this.#typeCounts ??= new Map());
    let found: RecordTypeCounts | undefined;
    if (all.size <= maxTypesScanned) {
      for (const counts of all.values()) {
        if (counts.matches(topic)) {
          found = counts;
          break;
        }
      }
    }
    if (found === undefined) {
      const recordType = viewToString(topic);
      found = all.get(recordType);
      if (found === undefined) {
        found = new RecordTypeCounts(recordType, topic.slice(), this.#options.metrics, this.#trackedVin);
        all.set(recordType, found);
      }
    }
    this.#lastTypeCounts = found;
    return found;
  }

  #unknownMessageType(envelope: EnvelopeView | undefined, error: EnvelopeDecodeError | undefined): void {
    const { metrics, logger, responses } = this.#options;
    const msgType = envelope === undefined ? 'unreadable' : String(envelope.messageType);
    const txid = envelope === undefined ? new Uint8Array(0) : envelope.txid;
    logger.error(
      { msg_txid: viewToString(txid), msg_type: msgType, reason: error?.reason, err: error },
      'unknown_message_type_error',
    );
    metrics.unknownMessageTypeErrorTotal.add(1, { msg_type: msgType });
    // Acked so the vehicle does not resend what this server will never understand.
    responses.send(encodeAck(txid, ''));
  }

  #respondWithError(txid: Uint8Array, recordType: string, error: unknown): void {
    const { metrics, logger, responses, identity } = this.#options;
    logger.error(
      { txid: viewToString(txid), record_type: recordType, device_id: identity.deviceId, err: error },
      'unexpected_record',
    );
    metrics.unexpectedRecordErrTotal.add(1);
    responses.send(encodeErrorResponse(txid));
  }

  #changePending(records: number, bytes: number): void {
    this.#pendingAcks += records;
    this.#pendingBytes += bytes;
    this.#options.responses.pendingAcksChanged(this.#pendingAcks, this.#pendingBytes);
  }
}

/** The topic of a frame for labels, or '' when the frame is not a readable envelope. */
function topicOf(frame: Uint8Array): string {
  try {
    return viewToString(decodeEnvelope(frame).topic);
  } catch {
    return '';
  }
}
