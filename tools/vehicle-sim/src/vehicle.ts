import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { decodeEnvelope, MessageType, type EnvelopeView } from '@fleet-telemetry/codec';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { FrameTemplate } from './frame-template.js';
import { InFlightFrames, sentAtOf, topicOf } from './in-flight.js';
import { MixSequencer, type Mix } from './mix.js';
import { payloadEncoders } from './payloads/index.js';
import { advanceVehicleState, initialVehicleState, type VehicleState } from './payloads/vehicle-state.js';
import { createRandom, type Random } from './random.js';
import { Pacer, refreshDueAt } from './schedule.js';
import type { RunStats } from './stats.js';
import { createTxidPrefix, readSequence } from './txid.js';

/** A vehicle's client certificate (PEM, leaf first, may carry its issuer) and private key. */
export interface VehicleIdentity {
  /** The certificate's subject CN. */
  readonly vin: string;
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/** What every vehicle of a run shares. */
export interface VehicleSettings {
  readonly url: string;
  readonly ca: string | Buffer | undefined;
  readonly rejectUnauthorized: boolean;
  readonly networkInterface: string;
  readonly clientVersion: string;
  readonly userAgent: string;
  readonly handshakeTimeoutMs: number;
  readonly mix: Mix;
  readonly ratePerSecond: number;
  /** Frames each vehicle sends (Infinity: until stopped). */
  readonly framesPerVehicle: number;
  /** Most frames one vehicle sends in one tick when catching up. */
  readonly maxBurst: number;
  /** While more than this is queued on a socket, the vehicle waits instead of queueing more. */
  readonly maxBufferedBytes: number;
  /** While this many frames are unanswered, the vehicle waits for answers. */
  readonly maxInFlight: number;
  /** How long a pre-encoded payload is reused before the vehicle's state moves on and it is rebuilt. */
  readonly payloadRefreshMs: number;
  readonly logger: Logger;
}

export type VehicleStatus = 'idle' | 'connecting' | 'open' | 'closed' | 'failed';

const textEncoder = new TextEncoder();

/** One simulated car: its own certificate, socket, schedule, payload templates and in-flight frames. */
export class SimulatedVehicle {
  private socket: WebSocket | undefined;
  private currentStatus: VehicleStatus = 'idle';
  private closingOnPurpose = false;
  private opened = false;
  private pacer: Pacer | undefined;
  private phaseMs = 0;
  private nextSequence = 0;
  private lastSendAtMs = Number.NaN;
  private readonly inFlight = new InFlightFrames();
  private readonly sequencer: MixSequencer;
  private readonly topicBytes: readonly Uint8Array[];
  private readonly templates: (FrameTemplate | undefined)[];
  /** Per topic, when its template is rebuilt (epoch ms). */
  private readonly refreshAtMs: number[];
  private readonly txidPrefix = createTxidPrefix();
  private readonly txidPrefixBytes = textEncoder.encode(this.txidPrefix);
  private readonly messageIdPrefix = createTxidPrefix();
  private readonly random: Random;
  private readonly state: VehicleState;
  private stateAdvancedAtMs = Date.now();

  constructor(
    readonly index: number,
    readonly identity: VehicleIdentity,
    private readonly settings: VehicleSettings,
    private readonly stats: RunStats,
    seed: number,
  ) {
    this.random = createRandom(seed);
    this.state = initialVehicleState(identity.vin, this.random);
    this.sequencer = new MixSequencer(settings.mix, index);
    this.topicBytes = settings.mix.map((entry) => textEncoder.encode(entry.topic));
    this.templates = settings.mix.map(() => undefined);
    this.refreshAtMs = settings.mix.map(() => Number.NEGATIVE_INFINITY);
  }

  get status(): VehicleStatus {
    return this.currentStatus;
  }

  /** Whether its socket ever opened. */
  get everConnected(): boolean {
    return this.opened;
  }

  /** Frames this vehicle sent that have no answer (yet). */
  get unanswered(): number {
    return this.inFlight.size;
  }

  get sent(): number {
    return this.nextSequence;
  }

  /** True once it has nothing left to send: all frames out, or it never connected, or it was closed. */
  get doneSending(): boolean {
    if (this.currentStatus === 'open') return this.pacer?.finished ?? false;
    return this.currentStatus !== 'idle' && this.currentStatus !== 'connecting';
  }

  /**
   * Frames per second measured against the schedule: the frames sent over the time from the
   * schedule's start to the last frame plus one interval. A vehicle that kept its schedule scores
   * exactly its rate; one that fell behind scores less, even if it caught up in bursts.
   */
  achievedRate(): number | undefined {
    const { pacer } = this;
    if (pacer === undefined || this.nextSequence === 0) return undefined;
    const windowMs = Math.max(this.lastSendAtMs - pacer.startMs, 0) + 1000 / pacer.ratePerSecond;
    return (this.nextSequence * 1000) / windowMs;
  }

  /**
   * Opens the mTLS WebSocket. Resolves once it is open or has failed (failures are counted, not
   * thrown). Sending starts `phaseMs` after the socket opens.
   */
  connect(phaseMs: number): Promise<void> {
    const { settings } = this;
    this.phaseMs = phaseMs;
    this.currentStatus = 'connecting';
    return new Promise((resolve) => {
      const socket = new WebSocket(settings.url, {
        cert: this.identity.cert,
        key: this.identity.key,
        ...(settings.ca === undefined ? {} : { ca: settings.ca }),
        rejectUnauthorized: settings.rejectUnauthorized,
        handshakeTimeout: settings.handshakeTimeoutMs,
        perMessageDeflate: false,
        skipUTF8Validation: true,
        headers: {
          'X-TXID': randomUUID(),
          'X-Network-Interface': settings.networkInterface,
          Version: settings.clientVersion,
          'User-Agent': settings.userAgent,
        },
      });
      this.socket = socket;
      socket.on('open', () => {
        this.currentStatus = 'open';
        this.opened = true;
        this.stats.connected++;
        this.pacer = new Pacer(settings.ratePerSecond, performance.now() + phaseMs, settings.framesPerVehicle);
        settings.logger.debug({ vin: this.identity.vin }, 'vehicle connected');
        resolve();
      });
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) this.handleAnswer(data);
        else this.stats.malformed++;
      });
      socket.on('error', (error: Error) => {
        if (this.currentStatus === 'connecting') {
          this.currentStatus = 'failed';
          this.stats.recordConnectFailure(error.message);
          settings.logger.warn({ vin: this.identity.vin, err: error }, 'vehicle could not connect');
          resolve();
        } else {
          settings.logger.warn({ vin: this.identity.vin, err: error }, 'vehicle socket error');
        }
      });
      socket.on('close', (code: number, reason: Buffer) => {
        if (this.currentStatus === 'connecting') {
          this.currentStatus = 'failed';
          this.stats.recordConnectFailure(`closed during handshake (${code})`);
          resolve();
          return;
        }
        if (this.currentStatus === 'open') {
          this.stats.connected--;
          if (!this.closingOnPurpose) {
            this.stats.disconnects++;
            settings.logger.warn({ vin: this.identity.vin, code, reason: reason.toString() }, 'server closed the socket');
          }
        }
        if (this.currentStatus !== 'failed') this.currentStatus = 'closed';
      });
    });
  }

  /** Sends whatever the schedule says is due at `nowMs` (a `performance.now()` reading). */
  /** Starts the send schedule afresh from `nowMs` (plus this vehicle's phase), as if it had just connected. */
  restartSchedule(nowMs: number): void {
    if (this.pacer === undefined) return;
    this.pacer = new Pacer(this.settings.ratePerSecond, nowMs + this.phaseMs, this.settings.framesPerVehicle);
  }

  sendDue(nowMs: number): void {
    const { socket, pacer } = this;
    if (this.currentStatus !== 'open' || socket === undefined || pacer === undefined) return;
    const due = pacer.due(nowMs, this.settings.maxBurst);
    // A socket that does not drain holds the vehicle back; the schedule lets it catch up later.
    if (due === 0 || socket.bufferedAmount > this.settings.maxBufferedBytes) return;
    const sendable = Math.min(due, this.settings.maxInFlight - this.inFlight.size);
    if (sendable <= 0) return;
    for (let i = 0; i < sendable; i++) this.sendOne(socket, nowMs);
    pacer.recordSent(sendable);
  }

  private sendOne(socket: WebSocket, nowMs: number): void {
    const topicIndex = this.sequencer.nextIndex();
    const sequence = this.nextSequence++;
    const frame = this.template(topicIndex, nowMs).stamp(sequence);
    const sentAt = performance.now();
    socket.send(frame);
    this.inFlight.add(sequence, sentAt, topicIndex);
    this.stats.recordSent(topicIndex, 1, sentAt);
    this.lastSendAtMs = sentAt;
  }

  private template(topicIndex: number, nowMs: number): FrameTemplate {
    const epochMs = Math.floor(performance.timeOrigin + nowMs);
    const current = this.templates[topicIndex];
    if (current !== undefined && epochMs < (this.refreshAtMs[topicIndex] ?? 0)) return current;
    const seconds = (epochMs - this.stateAdvancedAtMs) / 1000;
    if (seconds > 0) {
      advanceVehicleState(this.state, seconds, this.random);
      this.stateAdvancedAtMs = epochMs;
    }
    const topic = this.settings.mix[topicIndex]?.topic ?? 'V';
    const template = FrameTemplate.build({
      vin: this.identity.vin,
      topic,
      payload: payloadEncoders[topic](this.state, this.random, epochMs),
      txidPrefix: this.txidPrefix,
      messageIdPrefix: this.messageIdPrefix,
      createdAtMs: epochMs,
    });
    this.templates[topicIndex] = template;
    this.refreshAtMs[topicIndex] = refreshDueAt(epochMs, this.settings.payloadRefreshMs, current === undefined, this.random.next());
    return template;
  }

  private handleAnswer(data: Buffer): void {
    let envelope: EnvelopeView;
    try {
      envelope = decodeEnvelope(data);
    } catch {
      this.stats.malformed++;
      return;
    }
    const isAck = envelope.messageType === MessageType.StreamAck;
    // The server's error response is a Stream envelope carrying the txid and an error text.
    if (!isAck && envelope.messageType !== MessageType.Stream) {
      this.stats.malformed++;
      return;
    }
    const sequence = readSequence(envelope.txid, this.txidPrefixBytes);
    const entry = sequence < 0 ? -1 : this.inFlight.take(sequence);
    if (entry < 0) {
      if (sequence >= 0 && sequence < this.nextSequence) this.stats.duplicates++;
      else this.stats.unknownTxid++;
      return;
    }
    const topicIndex = topicOf(entry);
    if (!isAck) {
      this.stats.recordError(topicIndex);
    } else if (sameBytes(envelope.topic, this.topicBytes[topicIndex])) {
      this.stats.recordAck(topicIndex, performance.now() - sentAtOf(entry));
    } else {
      this.stats.recordTopicMismatch();
    }
  }

  /** Closes the socket normally; a peer that does not answer the close within `timeoutMs` is cut off. */
  async close(timeoutMs = 2_000): Promise<void> {
    const { socket } = this;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    this.closingOnPurpose = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, timeoutMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000, 'simulation finished');
    });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
