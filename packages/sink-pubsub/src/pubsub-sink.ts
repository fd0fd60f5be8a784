import {
  DrainNotifier,
  SinkClosedError,
  type DeliveryCallback,
  type Sink,
  type SinkHealth,
  type TelemetryRecord,
  IdleWaiters,
  ThrottledLog,
} from '@fleet-telemetry/sink-api';
import { PubSub, type CallOptions, type ClientConfig, type Topic } from '@google-cloud/pubsub';
import { metrics, type Meter } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import { backoffDelay } from './backoff.js';
import { pubSubSettings, pubSubTarget, topicName, type PubSubSettings, type PubSubTarget } from './config.js';
import { PubSubConnectionError, PubSubDeliveryError, PubSubOverflowError, PubSubRecordRejectedError } from './errors.js';
import { PubSubSinkMetrics } from './metrics.js';
import { Status, statusCode, verdict } from './status.js';

export interface PubSubSinkOptions {
  /** The config's `pubsub` section: `gcp_project_id` (required) and the tuning keys in the README. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Topics are `<namespace>_<record type>`, e.g. `tesla_V`. */
  readonly namespace: string;
  /** The record types routed to this sink: `start()` creates their topics when missing. */
  readonly recordTypes?: readonly string[];
  /** Where `PUBSUB_EMULATOR_HOST` and `GOOGLE_APPLICATION_CREDENTIALS` are read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra settings for the client the sink creates (credentials, endpoint, ...). */
  readonly clientConfig?: ClientConfig;
  /** A ready client; the sink does not close it. Publish calls are then not counted. */
  readonly client?: PubSub;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Default: `metrics.getMeter('@fleet-telemetry/sink-pubsub')`. */
  readonly meter?: Meter;
  /** The name the config's `records` uses. Default `pubsub`. */
  readonly name?: string;
  /** Random source for backoff jitter, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** A record from `write` until Pub/Sub confirms it or the sink gives up on it. */
interface Pending {
  readonly record: TelemetryRecord;
  readonly topic: string;
  readonly onDelivered: DeliveryCallback | undefined;
  readonly deadline: number;
  lastProblem: string | undefined;
  settled: boolean;
}

interface TopicState {
  readonly handle: Topic;
  /** Known to exist (checked or created); false again after a publish found it missing. */
  verified: boolean;
  /** A lookup-or-create in progress. */
  ensuring: Promise<void> | undefined;
}

const PUBLISH_METHOD = '/google.pubsub.v1.Publisher/Publish';
/** Pub/Sub's limit for one message, data and attributes together. */
export const MAX_MESSAGE_BYTES = 10_000_000;

/**
 * Publishes records to Google Cloud Pub/Sub: topic `<namespace>_<record type>`, data = the payload
 * bytes, attributes = the record metadata. The client batches messages; `write` never waits for
 * a result. A record is confirmed (`onDelivered()` without an error) when its publish call
 * returned a message id, so the sink can be a reliable-ack source.
 *
 * While Pub/Sub cannot be reached (or has a passing problem) records are held, unconfirmed, and
 * published again after a backoff until `delivery_timeout_ms`; a topic that disappeared is
 * created again, as the reference server does before every publish. Nothing is dropped silently.
 */
export class PubSubSink implements Sink {
  readonly name: string;
  readonly confirmsWrites = true;
  readonly #namespace: string;
  readonly #recordTypes: readonly string[];
  readonly #settings: PubSubSettings;
  readonly #target: PubSubTarget;
  readonly #client: PubSub;
  readonly #ownsClient: boolean;
  readonly #logger: Logger;
  readonly #problems: ThrottledLog;
  readonly #metrics: PubSubSinkMetrics;
  readonly #random: () => number;
  readonly #topics = new Map<string, TopicState>();
  /** Records waiting out a pause (Pub/Sub unreachable), in arrival order. */
  #held: Pending[] = [];
  readonly #inFlight = new Set<Pending>();
  readonly #drain = new DrainNotifier();
  readonly #idle = new IdleWaiters();
  #pendingBytes = 0;
  #started = false;
  #closed = false;
  #saturated = false;
  #drainScheduled = false;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #consecutiveFailures = 0;
  #resumeTimer: NodeJS.Timeout | undefined;
  /** Set while Pub/Sub cannot be reached; cleared by the next confirmed publish. */
  #unreachable: { since: number; message: string } | undefined;

  /**
   * @throws PubSubConfigError without `pubsub.gcp_project_id`, with values of the wrong type, or
   * when both `PUBSUB_EMULATOR_HOST` and `GOOGLE_APPLICATION_CREDENTIALS` are set.
   */
  constructor(options: PubSubSinkOptions) {
    this.name = options.name ?? 'pubsub';
    this.#namespace = options.namespace;
    this.#recordTypes = [...new Set(options.recordTypes ?? [])];
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#problems = new ThrottledLog(this.#logger);
    this.#random = options.random ?? (() => Math.random());
    const { settings, unknownKeys } = pubSubSettings(options.config);
    this.#settings = settings;
    if (unknownKeys.length > 0) this.#logger.warn({ keys: unknownKeys }, 'pubsub: ignoring unknown config keys');
    this.#target = pubSubTarget(options.env ?? process.env);
    this.#metrics = new PubSubSinkMetrics(options.meter ?? metrics.getMeter('@fleet-telemetry/sink-pubsub'), () => this.#pendingRecords);
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? this.#createClient(options.clientConfig);
  }

  /** The topic records of this type go to. */
  topicFor(recordType: string): string {
    return topicName(this.#namespace, recordType);
  }

  /**
   * Creates the topics of `recordTypes` that are missing; rejects with `PubSubConnectionError`
   * when a topic can be neither found nor created. Records written before wait.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  write(record: TelemetryRecord, onDelivered?: DeliveryCallback): void {
    if (this.#closed) {
      this.#callBack(onDelivered, new SinkClosedError(this.name));
      return;
    }
    const size = messageSize(record);
    if (size > MAX_MESSAGE_BYTES) {
      this.#fail(record.recordType, onDelivered, new PubSubRecordRejectedError(`the message is ${size} bytes with its attributes, over Pub/Sub's ${MAX_MESSAGE_BYTES}`));
      return;
    }
    const overflow = this.#overflow();
    if (overflow !== undefined) {
      this.#fail(record.recordType, onDelivered, new PubSubOverflowError(overflow));
      return;
    }
    const pending: Pending = {
      record,
      topic: this.topicFor(record.recordType),
      onDelivered,
      deadline: Date.now() + this.#settings.deliveryTimeoutMs,
      lastProblem: undefined,
      settled: false,
    };
    this.#pendingBytes += record.payload.byteLength;
    if (!this.#started || this.#paused()) this.#held.push(pending);
    else this.#publish(pending);
    if (!this.#saturated && this.#aboveHighWater()) this.#saturated = true;
  }

  /** True from `max_buffered_records` (or `max_buffered_bytes`) pending until half of that is left. */
  isSaturated(): boolean {
    return this.#saturated;
  }

  onDrain(listener: () => void): () => void {
    return this.#drain.subscribe(listener);
  }

  /** Publishes the client's partial batches at once and resolves when nothing is pending, or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    if (this.#pendingRecords === 0) return;
    for (const state of this.#topics.values()) state.handle.flush().catch(() => {});
    await this.#idle.wait(timeoutMs);
  }

  /**
   * Stops taking records, waits up to `close_timeout_ms` for pending ones, fails what is left
   * (those vehicles were not acked and resend) and closes the client it created.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  health(): SinkHealth {
    const pending = this.#pendingRecords;
    if (this.#closed) return { healthy: false, detail: 'closed', pending };
    if (!this.#started) return { healthy: false, detail: 'not started', pending };
    if (this.#unreachable !== undefined) {
      const seconds = Math.round((Date.now() - this.#unreachable.since) / 1000);
      return { healthy: false, detail: `pubsub unreachable for ${seconds}s: ${this.#unreachable.message}`, pending };
    }
    return { healthy: true, detail: `connected to ${this.#where()}`, pending };
  }

  get #pendingRecords(): number {
    return this.#held.length + this.#inFlight.size;
  }

  #createClient(extra: ClientConfig | undefined): PubSub {
    const target =
      this.#target.kind === 'emulator'
        ? // The universe domain spares google-auth a metadata-server lookup the emulator does not need.
          { apiEndpoint: this.#target.host, emulatorMode: true, universeDomain: 'googleapis.com' }
        : this.#target.keyFile === undefined
          ? {}
          : { keyFilename: this.#target.keyFile };
    // grpc-js calls this for every RPC (google-gax passes `grpc.*` options through to the channel):
    // the count of Publish calls shows how well records batch.
    const countCalls = {
      'grpc.callInvocationTransformer': (call: { methodDefinition?: { path?: string } }) => {
        if (call.methodDefinition?.path === PUBLISH_METHOD) this.#metrics.calls.add(1);
        return call;
      },
    };
    const config: ClientConfig = { projectId: this.#settings.projectId, ...target, ...countCalls, ...extra };
    return new PubSub(config);
  }

  async #start(): Promise<void> {
    if (this.#closed) throw new SinkClosedError(this.name);
    const outcomes = await Promise.allSettled(this.#recordTypes.map((recordType) => this.#ensureTopic(this.topicFor(recordType))));
    const failed = outcomes.flatMap((outcome, index) => (outcome.status === 'rejected' ? [[this.#recordTypes[index], outcome.reason] as const] : []));
    if (failed.length > 0) {
      const [recordType, error] = failed[0] as readonly [string, unknown];
      if (verdict(error) === 'unreachable') this.#metrics.notConnected.add(1);
      throw new PubSubConnectionError(
        `pubsub: cannot find or create topic ${this.topicFor(recordType)} in project ${this.#settings.projectId} at ${this.#where()}: ${describe(error)}`,
        error,
      );
    }
    this.#started = true;
    this.#logger.info({ endpoint: this.#where(), project: this.#settings.projectId, topics: this.#recordTypes.map((type) => this.topicFor(type)) }, 'pubsub sink connected');
    this.#resume();
  }

  async #close(): Promise<void> {
    this.#closed = true;
    await this.#starting?.catch(() => {});
    if (this.#started) {
      this.#resume(); // held records get their last chance now rather than after the pause
      await this.flush(this.#settings.closeTimeoutMs);
    }
    clearTimeout(this.#resumeTimer);
    const left = [...this.#held, ...this.#inFlight];
    this.#held = [];
    this.#inFlight.clear();
    if (left.length > 0) this.#logger.warn({ records: left.length }, 'pubsub sink closed before Pub/Sub confirmed every record');
    for (const pending of left) this.#settleFailed(pending, new PubSubDeliveryError('pubsub: the sink closed before Pub/Sub confirmed the record'));
    if (this.#ownsClient) await this.#client.close().catch((error: unknown) => this.#logger.warn({ err: error }, 'pubsub client did not close cleanly'));
    this.#metrics.dispose();
    this.#idle.notifyIdle();
  }

  /** Looks the topic up and creates it when missing, within `request_timeout_ms`. */
  async #ensureTopic(name: string): Promise<void> {
    const state = this.#topic(name);
    if (state.verified) return;
    state.ensuring ??= (async () => {
      // One attempt each, bounded: start-up must fail clearly rather than retry for minutes.
      const gaxOpts: CallOptions = { timeout: this.#settings.requestTimeoutMs, retry: null };
      try {
        await state.handle.getMetadata(gaxOpts);
      } catch (error) {
        if (statusCode(error) !== Status.NOT_FOUND) throw error;
        try {
          await this.#client.createTopic({ name, gaxOpts } as Parameters<PubSub['createTopic']>[0]);
          this.#logger.info({ topic: name }, 'pubsub topic created');
        } catch (createError) {
          if (statusCode(createError) !== Status.ALREADY_EXISTS) throw createError;
        }
      }
      state.verified = true;
    })().finally(() => {
      state.ensuring = undefined;
    });
    return state.ensuring;
  }

  #topic(name: string): TopicState {
    let state = this.#topics.get(name);
    if (state === undefined) {
      const handle = this.#client.topic(name, {
        batching: {
          maxMessages: this.#settings.batchMaxMessages,
          maxMilliseconds: this.#settings.batchMaxMs,
          maxBytes: this.#settings.batchMaxBytes,
        },
        // One attempt per batch: the sink retries itself, and knows meanwhile that Pub/Sub is unreachable.
        gaxOpts: { timeout: this.#settings.requestTimeoutMs, retry: null },
      });
      state = { handle, verified: false, ensuring: undefined };
      this.#topics.set(name, state);
    }
    return state;
  }

  #publish(pending: Pending): void {
    this.#inFlight.add(pending);
    const state = this.#topic(pending.topic);
    if (state.verified) {
      this.#send(pending, state.handle);
      return;
    }
    // A record type not routed here at start, or a topic found missing: look it up (and create it) first.
    this.#ensureTopic(pending.topic).then(
      () => this.#send(pending, state.handle),
      (error: unknown) => this.#publishFailed(pending, error),
    );
  }

  #send(pending: Pending, topic: Topic): void {
    if (pending.settled) return;
    const { payload, metadata } = pending.record;
    let published: Promise<string>;
    try {
      published = topic.publishMessage({ data: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), attributes: { ...metadata } });
    } catch (error) {
      this.#publishFailed(pending, error);
      return;
    }
    published.then(
      () => this.#published(pending),
      (error: unknown) => this.#publishFailed(pending, error),
    );
  }

  #published(pending: Pending): void {
    if (!this.#inFlight.delete(pending) || pending.settled) return;
    this.#consecutiveFailures = 0;
    if (this.#unreachable !== undefined) {
      this.#logger.info({ unreachable_for_ms: Date.now() - this.#unreachable.since }, 'pubsub reachable again');
      this.#unreachable = undefined;
    }
    const { recordType, payload } = pending.record;
    const attributes = this.#metrics.typeAttributes(recordType);
    this.#metrics.published.add(1, attributes);
    this.#metrics.publishedBytes.add(payload.byteLength, attributes);
    if (pending.onDelivered !== undefined) this.#metrics.reliableAcks.add(1, attributes);
    this.#settle(pending);
    this.#callBack(pending.onDelivered, undefined);
    this.#afterSettle();
  }

  #publishFailed(pending: Pending, error: unknown): void {
    if (!this.#inFlight.delete(pending) || pending.settled) return;
    const kind = verdict(error);
    const code = statusCode(error);
    pending.lastProblem = describe(error);
    if (kind === 'permanent') {
      this.#settleFailed(pending, new PubSubDeliveryError(`pubsub: publish to ${pending.topic} failed: ${pending.lastProblem}`, code, error));
      return;
    }
    if (kind === 'unreachable') {
      this.#metrics.notConnected.add(1);
      this.#unreachable ??= { since: Date.now(), message: pending.lastProblem };
    }
    if (kind === 'topic-missing') {
      const state = this.#topic(pending.topic);
      if (state.verified) {
        state.verified = false;
        this.#logger.warn({ topic: pending.topic }, `pubsub topic ${pending.topic} is missing; creating it again`);
      }
    }
    if (Date.now() >= pending.deadline) {
      this.#settleFailed(pending, this.#timeoutError(pending, code));
      return;
    }
    this.#metrics.retries.add(1, this.#metrics.retryAttributes(pending.record.recordType, kind));
    this.#problems.log('warn', `retry:${kind}`, { topic: pending.topic, code }, `pubsub publish failed, retrying: ${pending.lastProblem}`);
    this.#held.push(pending);
    this.#pause();
  }

  #paused(): boolean {
    return this.#resumeTimer !== undefined;
  }

  /** Holds every record for a backoff that grows with each failed round, then publishes them again. */
  #pause(): void {
    if (this.#paused() || this.#closed) return;
    this.#consecutiveFailures += 1;
    const delay = backoffDelay(this.#consecutiveFailures, this.#settings.retryBaseDelayMs, this.#settings.retryMaxDelayMs, this.#random);
    this.#resumeTimer = setTimeout(() => {
      this.#resumeTimer = undefined;
      this.#resume();
    }, delay);
  }

  #resume(): void {
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = undefined;
    const held = this.#held;
    this.#held = [];
    const now = Date.now();
    for (const pending of held) {
      if (pending.settled) continue;
      if (now >= pending.deadline) this.#settleFailed(pending, this.#timeoutError(pending, undefined));
      else this.#publish(pending);
    }
  }

  #timeoutError(pending: Pending, code: number | undefined): PubSubDeliveryError {
    const last = pending.lastProblem === undefined ? '' : ` (last problem: ${pending.lastProblem})`;
    return new PubSubDeliveryError(`pubsub: record not published within delivery_timeout_ms ${this.#settings.deliveryTimeoutMs}${last}`, code);
  }

  #settle(pending: Pending): void {
    pending.settled = true;
    this.#pendingBytes -= pending.record.payload.byteLength;
  }

  #settleFailed(pending: Pending, error: Error): void {
    if (pending.settled) return;
    this.#settle(pending);
    this.#fail(pending.record.recordType, pending.onDelivered, error);
  }

  /** A record that will not reach Pub/Sub: count it, log it (throttled) and tell its writer. */
  #fail(recordType: string, onDelivered: DeliveryCallback | undefined, error: Error): void {
    this.#metrics.errors.add(1, this.#metrics.typeAttributes(recordType));
    const kind = error instanceof PubSubDeliveryError ? `code:${error.code ?? 'none'}` : error.name;
    this.#problems.log('error', `record:${kind}`, { err: error, record_type: recordType }, 'pubsub_err');
    this.#callBack(onDelivered, error);
    this.#afterSettle();
  }

  #afterSettle(): void {
    if (this.#saturated && this.#belowLowWater()) {
      this.#saturated = false;
      this.#scheduleDrain();
    }
    if (this.#pendingRecords === 0) this.#idle.notifyIdle();
  }

  // Listeners run on their own turn: they may write again while a batch is being settled.
  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    setImmediate(() => {
      this.#drainScheduled = false;
      if (!this.#saturated) this.#drain.notify((error) => this.#logger.error({ err: error }, 'pubsub drain listener threw'));
    });
  }

  #aboveHighWater(): boolean {
    return this.#pendingRecords >= this.#settings.maxBufferedRecords || this.#pendingBytes >= this.#settings.maxBufferedBytes;
  }

  #belowLowWater(): boolean {
    return this.#pendingRecords <= this.#settings.maxBufferedRecords / 2 && this.#pendingBytes <= this.#settings.maxBufferedBytes / 2;
  }

  /** Saturation asks writers to pause; past twice the limits writes are refused outright. */
  #overflow(): string | undefined {
    const records = this.#settings.maxBufferedRecords * 2;
    if (this.#pendingRecords >= records) return `${records} records`;
    const bytes = this.#settings.maxBufferedBytes * 2;
    if (this.#pendingBytes >= bytes) return `${bytes} bytes`;
    return undefined;
  }

  #callBack(onDelivered: DeliveryCallback | undefined, error: Error | undefined): void {
    if (onDelivered === undefined) return;
    try {
      onDelivered(error);
    } catch (thrown) {
      this.#logger.error({ err: thrown }, 'pubsub delivery callback threw');
    }
  }

  #where(): string {
    return this.#target.kind === 'emulator' ? `the emulator at ${this.#target.host}` : 'Google Cloud';
  }
}

function messageSize(record: TelemetryRecord): number {
  let size = record.payload.byteLength;
  for (const [key, value] of Object.entries(record.metadata)) size += Buffer.byteLength(key) + Buffer.byteLength(value);
  return size;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message === '' ? error.name : error.message;
}
