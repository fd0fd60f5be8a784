import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { TransportDispatcher } from '../dispatcher.js';
import type { TransportMetrics } from '../metrics.js';
import type { ConnectionInfo, DisconnectionInfo } from './connection-info.js';
import { FrameProcessor } from './frame-processor.js';
import type { SocketLimits } from './limits.js';
import type { PayloadEncoding } from '@fleet-telemetry/sink-api';

/** Why a socket is not being read. Reading resumes once no reason is left. */
export type PauseReason = 'pending-acks' | 'send-buffer' | 'dispatcher' | 'shutdown';

/** Pause reasons as bits of one number: a socket carries no set of them. */
const pauseBits: Readonly<Record<PauseReason, number>> = { 'pending-acks': 1, 'send-buffer': 2, dispatcher: 4, shutdown: 8 };

export interface TelemetrySocketOptions {
  readonly ws: WebSocket;
  /**
   * The connection under the WebSocket (the TLS socket). When given, the answers to all frames
   * of one read are written together (one TLS record and one send instead of one per frame).
   */
  readonly transport?: Duplex | undefined;
  readonly info: ConnectionInfo;
  readonly dispatcher: TransportDispatcher;
  readonly metrics: TransportMetrics;
  readonly logger: Logger;
  readonly limits: SocketLimits;
  readonly encoding: PayloadEncoding;
  readonly trackedVins: ReadonlySet<string>;
  readonly admitFrame?: (() => boolean) | undefined;
  /** Called once, after the socket closed. */
  readonly onClosed: (socket: TelemetrySocket, info: DisconnectionInfo) => void;
  /** Called after each frame is handled, so the server can check its dispatcher's saturation. */
  readonly afterFrame?: (() => void) | undefined;
  /** Called whenever the records awaiting reliable acks change (graceful shutdown waits on them). */
  readonly onPendingChanged?: (() => void) | undefined;
}

const binaryFrame = { binary: true } as const;

// Shared by every socket: listeners are called with the emitting stream as `this`.
function corkBeforeRead(this: Duplex): void {
  this.cork();
}
function uncorkAfterRead(this: Duplex): void {
  this.uncork();
}

/**
 * One vehicle connection: feeds its binary frames, in order, to a {@link FrameProcessor}, writes
 * the answers, keeps it alive with pings, drops it when it goes silent and stops reading it while
 * any bound is reached (acks awaiting sinks, unread acks, a saturated dispatcher, shutdown).
 */
export class TelemetrySocket {
  readonly info: ConnectionInfo;
  readonly #ws: WebSocket;
  readonly #options: TelemetrySocketOptions;
  readonly #processor: FrameProcessor;
  #pauseReasons = 0;
  /** Created when someone waits for the close; settled, or replaced by `#disconnection`, once closed. */
  #closed: Promise<DisconnectionInfo> | undefined;
  #resolveClosed: ((info: DisconnectionInfo) => void) | undefined;
  #disconnection: DisconnectionInfo | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #lastHeardAt = Date.now();
  #nextPingAt = Number.POSITIVE_INFINITY;
  /** A ping went out since the peer was last heard: only then can silence be held against it. */
  #pingedSinceHeard = false;
  #closing = false;
  #framesReceived = 0;

  constructor(options: TelemetrySocketOptions) {
    this.info = options.info;
    this.#ws = options.ws;
    this.#options = options;
    this.#processor = new FrameProcessor({
      socketId: options.info.socketId,
      identity: options.info,
      deviceClientVersion: options.info.version,
      dispatcher: options.dispatcher,
      metrics: options.metrics,
      logger: options.logger,
      admitFrame: options.admitFrame,
      maxFrameBytes: options.limits.maxFrameBytes,
      encoding: options.encoding,
      trackedVins: options.trackedVins,
      responses: {
        send: (frame) => this.#send(frame),
        isOpen: () => this.isOpen,
        pendingAcksChanged: (pending, bytes) => this.#onPendingChanged(pending, bytes),
      },
    });
  }

  get socketId(): string {
    return this.info.socketId;
  }

  /** False once closing started: late acks are not sent then. */
  get isOpen(): boolean {
    return !this.#closing && this.#ws.readyState === this.#ws.OPEN;
  }

  get pendingAcks(): number {
    return this.#processor.pendingAcks;
  }

  /** Binary and text frames read from this socket so far. */
  get framesReceived(): number {
    return this.#framesReceived;
  }

  get isPaused(): boolean {
    return this.#pauseReasons !== 0;
  }

  /** Resolves once the connection is closed, with what the `disconnected` event carries. */
  get closed(): Promise<DisconnectionInfo> {
    if (this.#disconnection !== undefined) return Promise.resolve(this.#disconnection);
    const closed = this.#closed ?? new Promise<DisconnectionInfo>((resolve) => (this.#resolveClosed = resolve));
    this.#closed = closed;
    return closed;
  }

  /**
   * Starts reading frames. The keepalive is the server's: it calls `keepAlive` on every socket
   * from one timer, so a socket carries no timer of its own.
   */
  start(): void {
    const ws = this.#ws;
    const { transport } = this.#options;
    if (transport !== undefined) {
      // ws parses a read and emits its frames synchronously from its own 'data' listener: cork
      // before it and uncork after it, and the acks of that read leave in one write, in order.
      transport.prependListener('data', corkBeforeRead);
      transport.on('data', uncorkAfterRead);
    }
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => this.#heard());
    ws.on('ping', () => this.#heard());
    ws.on('error', (error) => {
      this.#options.metrics.socketErrTotal.add(1);
      this.#options.logger.warn({ err: error, socket_id: this.socketId }, 'socket_err');
    });
    ws.once('close', (code) => this.#onClose(code));
    this.#nextPingAt = Date.now() + this.#options.limits.pingIntervalMs;
  }

  pause(reason: PauseReason): void {
    const wasPaused = this.isPaused;
    this.#pauseReasons |= pauseBits[reason];
    if (!wasPaused) this.#ws.pause();
  }

  resume(reason: PauseReason): void {
    const bit = pauseBits[reason];
    if ((this.#pauseReasons & bit) === 0) return;
    this.#pauseReasons &= ~bit;
    if (this.isPaused) return;
    // While paused nothing, not even a pong, could be heard: the silence was ours.
    this.#heard();
    this.#ws.resume();
  }

  /**
   * Closes the connection with a close frame, cutting it if the client does not complete the
   * handshake in time. Frames arriving meanwhile are ignored; acks still pending are missed.
   */
  close(code = 1001, reason = ''): Promise<DisconnectionInfo> {
    if (!this.#closing) {
      this.#closing = true;
      this.#ws.close(code, reason);
      // The client's close frame can only be read if the socket is read.
      this.#ws.resume();
      this.#closeTimer = setTimeout(() => this.#ws.terminate(), this.#options.limits.closeTimeoutMs);
      this.#closeTimer.unref();
    }
    return this.closed;
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    this.#heard();
    this.#framesReceived += 1;
    if (this.#closing) return;
    if (!isBinary) {
      this.#options.logger.info({ socket_id: this.socketId }, 'text_frame_received');
      void this.close(1003, 'binary frames only');
      return;
    }
    try {
      this.#processor.process(asBytes(data));
    } catch (error) {
      // A frame the pipeline cannot handle must not take the process down: end this session only.
      this.#options.logger.error({ err: error, socket_id: this.socketId }, 'frame_processing_error');
      void this.close(1011, 'internal error');
    } finally {
      this.#options.afterFrame?.();
    }
  }

  #send(frame: Uint8Array): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(frame, binaryFrame, this.#afterSend);
    if (this.#ws.bufferedAmount >= this.#options.limits.maxBufferedBytes) this.pause('send-buffer');
  }

  /** One callback for every send of this socket, rather than a closure per ack. */
  readonly #afterSend = (error?: Error | null): void => {
    if (error !== undefined && error !== null) {
      this.#options.metrics.socketErrTotal.add(1);
      this.#options.logger.warn({ err: error, socket_id: this.socketId }, 'socket_err');
      return;
    }
    if ((this.#pauseReasons & pauseBits['send-buffer']) !== 0 && this.#ws.bufferedAmount <= this.#options.limits.maxBufferedBytes / 2) {
      this.resume('send-buffer');
    }
  };

  #onPendingChanged(pending: number, bytes: number): void {
    const { maxPendingAcks, maxPendingBytes } = this.#options.limits;
    if (pending >= maxPendingAcks || bytes >= maxPendingBytes) this.pause('pending-acks');
    else this.resume('pending-acks');
    this.#options.onPendingChanged?.();
  }

  /**
   * Pings the peer once `pingIntervalMs` has passed since the last ping (or the start), and drops
   * it when it stayed silent for `idleTimeoutMs` after one.
   */
  keepAlive(now = Date.now()): void {
    if (this.#closing || now < this.#nextPingAt) return;
    this.#nextPingAt = now + this.#options.limits.pingIntervalMs;
    // After an event-loop stall the idle time may pass before the first ping: ping first, judge later.
    if (!this.isPaused && this.#pingedSinceHeard && now - this.#lastHeardAt > this.#options.limits.idleTimeoutMs) {
      this.#options.logger.info({ socket_id: this.socketId, device_id: this.info.deviceId }, 'socket_idle_timeout');
      this.#closing = true;
      this.#ws.terminate();
      return;
    }
    this.#ws.ping();
    this.#pingedSinceHeard = true;
  }

  #heard(): void {
    this.#lastHeardAt = Date.now();
    this.#pingedSinceHeard = false;
  }

  #onClose(code: number): void {
    this.#closing = true;
    clearTimeout(this.#closeTimer);
    const disconnectedAt = Date.now();
    const bytesByRecordType = Object.fromEntries(this.#processor.bytesByRecordType);
    const total = Object.values(bytesByRecordType).reduce((sum, bytes) => sum + bytes, 0);
    this.#options.logger.info(
      {
        socket_id: this.socketId,
        device_id: this.info.deviceId,
        duration_sec: Math.floor((disconnectedAt - this.info.connectedAt) / 1000),
        close_code: code,
        bytes_by_record_type: bytesByRecordType,
        total,
      },
      'socket_disconnected',
    );
    const info: DisconnectionInfo = { ...this.info, disconnectedAt, closeCode: code, bytesByRecordType };
    this.#disconnection = info;
    this.#options.onClosed(this, info);
    this.#resolveClosed?.(info);
  }
}

function asBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
