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

const noBytes: ReadonlyMap<string, number> = new Map();

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
  /** Created with the first record: an idle connection does not carry one. */
  #bytesByRecordType: Map<string, number> | undefined;
  #lastTypeAttributes: Readonly<{ record_type: string }> | undefined;
  #pendingAcks = 0;
  #pendingBytes = 0;

  constructor(options: FrameProcessorOptions) {
    this.#options = options;
    this.#maxFrameBytes = options.maxFrameBytes ?? defaultSocketLimits.maxFrameBytes;
    this.#encoding = options.encoding ?? 'protobuf';
    this.#now = options.now ?? Date.now;
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
    return this.#bytesByRecordType ?? noBytes;
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
    const recordType = viewToString(envelope.topic);
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
    this.#count(built.record, built.signalCount);
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

  #count(record: TelemetryRecord, signalCount: number): void {
    const { metrics, trackedVins } = this.#options;
    const typeAttributes = this.#typeAttributes(record.recordType);
    const size = record.payload.length;
    const bytes = (this.#bytesByRecordType ??= new Map());
    bytes.set(record.recordType, (bytes.get(record.recordType) ?? 0) + size);
    metrics.recordTotal.add(1, typeAttributes);
    metrics.recordSizeBytesTotal.add(size, typeAttributes);
    if (signalCount > 0) {
      metrics.signalCount.add(signalCount, typeAttributes);
      if (trackedVins?.has(record.vin) === true) {
        metrics.vinSignalCount.add(signalCount, { record_type: record.recordType, vin: record.vin });
      }
    }
  }

  /** `{ record_type }`, frozen and kept while the type repeats, so the counters find it by identity. */
  #typeAttributes(recordType: string): Readonly<{ record_type: string }> {
    if (this.#lastTypeAttributes?.record_type !== recordType) {
      this.#lastTypeAttributes = Object.freeze({ record_type: recordType });
    }
    return this.#lastTypeAttributes;
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
