import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordsCommand,
  type KinesisClientConfig,
} from '@aws-sdk/client-kinesis';
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
import { metrics, type Meter } from '@opentelemetry/api';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { pino, type Logger } from 'pino';
import { Batcher, type BatchEntry, type CallFailure, type CallOutcome, type EntryResult } from './batcher.js';
import { classifyCallError } from './call-errors.js';
import { kinesisSettings, streamName, type KinesisSettings } from './config.js';
import { KinesisConnectionError, KinesisDeliveryError, KinesisOverflowError, KinesisRecordRejectedError } from './errors.js';
import { entryProblem } from './limits.js';
import { KinesisSinkMetrics } from './metrics.js';

export interface KinesisSinkOptions {
  /**
   * The config's `kinesis` section: `streams`, `max_retries`, `override_host` (as the reference
   * server reads them) and the tuning keys documented in the README.
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Streams default to `<namespace>_<record type>`, e.g. `tesla_V`. */
  readonly namespace: string;
  /** The record types routed to this sink: `start()` checks that their streams exist. */
  readonly recordTypes?: readonly string[];
  /** Where `KINESIS_STREAM_<TYPE>` overrides are read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * A ready client (custom credentials, middleware, ...). The sink then leaves its retry
   * settings alone and does not destroy it on `close()`.
   */
  readonly client?: KinesisClient;
  /** Extra AWS SDK settings for the client the sink creates (`credentials`, `region`, ...). */
  readonly clientConfig?: KinesisClientConfig;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Default: `metrics.getMeter('@fleet-telemetry/sink-kinesis')`. */
  readonly meter?: Meter;
  /** The name the config's `records` uses. Default `kinesis`. */
  readonly name?: string;
  /** Random source for backoff jitter, in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/** What the sink keeps per record until Kinesis settles it. */
interface Item {
  readonly recordType: string;
  readonly bytes: number;
  readonly onDelivered: DeliveryCallback | undefined;
}

/**
 * Writes records to Amazon Kinesis Data Streams: one stream per record type, partition key =
 * VIN, data = the payload bytes. Records are batched into PutRecords calls; a record is
 * confirmed (`onDelivered()` without an error) only when its own result entry in the response
 * says it was written, so the sink can be a reliable-ack source. Failed entries alone are sent
 * again (`max_retries`), failed calls are retried with backoff until `delivery_timeout_ms`,
 * and nothing is dropped silently: every record ends in its callback and the metrics.
 */
export class KinesisSink implements Sink {
  readonly name: string;
  readonly confirmsWrites = true;
  readonly #namespace: string;
  readonly #recordTypes: readonly string[];
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #settings: KinesisSettings;
  readonly #client: KinesisClient;
  readonly #ownsClient: boolean;
  readonly #logger: Logger;
  readonly #problems: ThrottledLog;
  readonly #metrics: KinesisSinkMetrics;
  readonly #batcher: Batcher<Item>;
  readonly #streams = new Map<string, string>();
  readonly #drain = new DrainNotifier();
  readonly #idle = new IdleWaiters();
  #started = false;
  #closed = false;
  #saturated = false;
  #drainScheduled = false;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  /** Set while calls fail for a passing reason (an outage); cleared by the next answer. */
  #trouble: { since: number; message: string } | undefined;

  /** @throws KinesisConfigError when the `kinesis` section has values of the wrong type. */
  constructor(options: KinesisSinkOptions) {
    this.name = options.name ?? 'kinesis';
    this.#namespace = options.namespace;
    this.#recordTypes = options.recordTypes ?? [];
    this.#env = options.env ?? process.env;
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#problems = new ThrottledLog(this.#logger);
    const { settings, unknownKeys } = kinesisSettings(options.config);
    this.#settings = settings;
    if (unknownKeys.length > 0) this.#logger.warn({ keys: unknownKeys }, 'kinesis: ignoring unknown config keys');
    this.#ownsClient = options.client === undefined;
    this.#client = options.client ?? createClient(settings, options.clientConfig);
    this.#metrics = new KinesisSinkMetrics(options.meter ?? metrics.getMeter('@fleet-telemetry/sink-kinesis'), () => this.#batcher.pendingRecords);
    this.#batcher = new Batcher<Item>({
      put: (stream, entries, signal) => this.#putRecords(stream, entries, signal),
      classify: classifyCallError,
      settings,
      random: options.random,
      events: {
        delivered: (item) => this.#delivered(item),
        failed: (item, error) => this.#fail(item.recordType, item.onDelivered, error),
        retrying: (item, reason) => this.#metrics.retries.add(1, this.#metrics.retryAttributes(item.recordType, reason)),
        called: (stream, outcome, entries, failure, pauseMs) => this.#called(stream, outcome, entries, failure, pauseMs),
      },
    });
  }

  /** The stream records of this type go to. */
  streamFor(recordType: string): string {
    let stream = this.#streams.get(recordType);
    if (stream === undefined) {
      stream = streamName(recordType, this.#namespace, this.#settings.streams, this.#env);
      this.#streams.set(recordType, stream);
    }
    return stream;
  }

  /**
   * Proves the connection with a one-stream ListStreams call (rejects with
   * `KinesisConnectionError` when it fails), warns about missing streams of `recordTypes`, then
   * starts sending. Records written before wait.
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
    const problem = entryProblem(record.payload, record.vin);
    if (problem !== undefined) {
      this.#fail(record.recordType, onDelivered, new KinesisRecordRejectedError(problem));
      return;
    }
    const overflow = this.#overflow();
    if (overflow !== undefined) {
      this.#fail(record.recordType, onDelivered, new KinesisOverflowError(overflow));
      return;
    }
    const item: Item = { recordType: record.recordType, bytes: record.payload.byteLength, onDelivered };
    this.#batcher.add(item, this.streamFor(record.recordType), { data: record.payload, partitionKey: record.vin });
    if (!this.#saturated && this.#aboveHighWater()) this.#saturated = true;
  }

  /** True from `max_buffered_records` (or `max_buffered_bytes`) pending until half of that is left. */
  isSaturated(): boolean {
    return this.#saturated;
  }

  onDrain(listener: () => void): () => void {
    return this.#drain.subscribe(listener);
  }

  /** Sends what is batched at once and resolves when nothing is pending, or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    if (this.#batcher.pendingRecords === 0) return;
    this.#batcher.hurry();
    await this.#idle.wait(timeoutMs);
  }

  /**
   * Stops taking records, waits up to `close_timeout_ms` for pending ones, fails what is left
   * (those vehicles were not acked and resend) and releases the client it created.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  health(): SinkHealth {
    const pending = this.#batcher.pendingRecords;
    if (this.#closed) return { healthy: false, detail: 'closed', pending };
    if (!this.#started) return { healthy: false, detail: 'not started', pending };
    if (this.#trouble !== undefined) {
      const seconds = Math.round((Date.now() - this.#trouble.since) / 1000);
      return { healthy: false, detail: `kinesis calls failing for ${seconds}s: ${this.#trouble.message}`, pending };
    }
    return { healthy: true, detail: 'connected', pending };
  }

  async #start(): Promise<void> {
    if (this.#closed) throw new SinkClosedError(this.name);
    try {
      await this.#client.send(new ListStreamsCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(this.#settings.requestTimeoutMs) });
    } catch (error) {
      throw new KinesisConnectionError(`kinesis: failed to list streams (test connection) at ${this.#where()}: ${describe(error)}`, error);
    }
    await Promise.all([...new Set(this.#recordTypes)].map((recordType) => this.#checkStream(recordType)));
    this.#started = true;
    this.#logger.info({ endpoint: this.#where() }, 'kinesis sink connected');
    this.#batcher.run();
  }

  async #checkStream(recordType: string): Promise<void> {
    const stream = this.streamFor(recordType);
    try {
      const answer = await this.#client.send(new DescribeStreamSummaryCommand({ StreamName: stream }), {
        abortSignal: AbortSignal.timeout(this.#settings.requestTimeoutMs),
      });
      const status = answer.StreamDescriptionSummary?.StreamStatus;
      if (status !== 'ACTIVE' && status !== 'UPDATING') {
        this.#logger.warn({ stream, record_type: recordType, status }, 'kinesis stream is not active yet');
      }
    } catch (error) {
      this.#logger.warn(
        { stream, record_type: recordType, err: error },
        `kinesis stream ${stream} for ${recordType} records cannot be described: ${describe(error)}; its records fail until it exists`,
      );
    }
  }

  async #close(): Promise<void> {
    this.#closed = true;
    await this.#starting?.catch(() => {});
    if (this.#started) await this.flush(this.#settings.closeTimeoutMs);
    const left = this.#batcher.pendingRecords;
    if (left > 0) this.#logger.warn({ records: left }, 'kinesis sink closed before Kinesis confirmed every record');
    this.#batcher.stop(() => new KinesisDeliveryError('kinesis: the sink closed before Kinesis confirmed the record', 'SinkClosed'));
    if (this.#ownsClient) this.#client.destroy();
    this.#metrics.dispose();
    this.#idle.notifyIdle();
  }

  async #putRecords(stream: string, entries: readonly BatchEntry[], signal: AbortSignal): Promise<readonly EntryResult[]> {
    const command = new PutRecordsCommand({
      StreamName: stream,
      Records: entries.map((entry) => ({ Data: entry.data, PartitionKey: entry.partitionKey })),
    });
    const answer = await this.#client.send(command, { abortSignal: AbortSignal.any([signal, AbortSignal.timeout(this.#settings.requestTimeoutMs)]) });
    return (answer.Records ?? []).map((result) => ({ errorCode: result.ErrorCode, errorMessage: result.ErrorMessage }));
  }

  #delivered(item: Item): void {
    const attributes = this.#metrics.typeAttributes(item.recordType);
    this.#metrics.published.add(1, attributes);
    this.#metrics.publishedBytes.add(item.bytes, attributes);
    if (item.onDelivered !== undefined) {
      this.#metrics.reliableAcks.add(1, attributes);
      this.#callBack(item.onDelivered, undefined);
    }
    this.#afterSettle();
  }

  /** A record that will not reach Kinesis: count it, log it (throttled) and tell its writer. */
  #fail(recordType: string, onDelivered: DeliveryCallback | undefined, error: Error): void {
    this.#metrics.errors.add(1, this.#metrics.typeAttributes(recordType));
    const kind = error instanceof KinesisDeliveryError ? (error.code ?? error.message) : error.name;
    this.#problems.log('error', `record:${kind}`, { err: error, record_type: recordType }, 'kinesis_err');
    this.#callBack(onDelivered, error);
    this.#afterSettle();
  }

  #called(stream: string, outcome: CallOutcome, entries: number, failure: CallFailure | undefined, pauseMs: number | undefined): void {
    this.#metrics.calls.add(1, this.#metrics.callAttributes(outcome));
    if (failure === undefined) {
      if (this.#trouble !== undefined) {
        this.#logger.info({ stream, failing_for_ms: Date.now() - this.#trouble.since }, 'kinesis calls succeed again');
        this.#trouble = undefined;
      }
      return;
    }
    if (failure.retryable) {
      this.#trouble ??= { since: Date.now(), message: `${failure.code}: ${failure.message}` };
      this.#problems.log('warn', `call:${failure.code}`, { stream, entries, code: failure.code, retry_in_ms: pauseMs }, `kinesis PutRecords failed, retrying: ${failure.message}`);
    } else {
      this.#problems.log('error', `call:${failure.code}`, { stream, entries, code: failure.code }, `kinesis PutRecords failed: ${failure.message}`);
    }
  }

  #afterSettle(): void {
    if (this.#saturated && this.#belowLowWater()) {
      this.#saturated = false;
      this.#scheduleDrain();
    }
    if (this.#batcher.pendingRecords === 0) this.#idle.notifyIdle();
  }

  // Listeners run on their own turn: they may write again, which must not re-enter a settling batch.
  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    setImmediate(() => {
      this.#drainScheduled = false;
      if (!this.#saturated) this.#drain.notify((error) => this.#logger.error({ err: error }, 'kinesis drain listener threw'));
    });
  }

  #aboveHighWater(): boolean {
    return this.#batcher.pendingRecords >= this.#settings.maxBufferedRecords || this.#batcher.pendingBytes >= this.#settings.maxBufferedBytes;
  }

  #belowLowWater(): boolean {
    return this.#batcher.pendingRecords <= this.#settings.maxBufferedRecords / 2 && this.#batcher.pendingBytes <= this.#settings.maxBufferedBytes / 2;
  }

  /** Saturation asks writers to pause; past twice the limits writes are refused outright. */
  #overflow(): string | undefined {
    const records = this.#settings.maxBufferedRecords * 2;
    if (this.#batcher.pendingRecords >= records) return `${records} records`;
    const bytes = this.#settings.maxBufferedBytes * 2;
    if (this.#batcher.pendingBytes >= bytes) return `${bytes} bytes`;
    return undefined;
  }

  #callBack(onDelivered: DeliveryCallback | undefined, error: Error | undefined): void {
    if (onDelivered === undefined) return;
    try {
      onDelivered(error);
    } catch (thrown) {
      this.#logger.error({ err: thrown }, 'kinesis delivery callback threw');
    }
  }

  #where(): string {
    return this.#settings.overrideHost ?? `region ${this.#settings.region ?? this.#env['AWS_REGION'] ?? this.#env['AWS_DEFAULT_REGION'] ?? '(from the AWS config)'}`;
  }
}

function createClient(settings: KinesisSettings, extra: KinesisClientConfig | undefined): KinesisClient {
  return new KinesisClient({
    // The sink retries itself: only failed entries, and whole calls with its own backoff.
    maxAttempts: 1,
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...(settings.overrideHost === undefined ? {} : { endpoint: settings.overrideHost }),
    // HTTP/1.1 with keep-alive: what every Kinesis API answers (the SDK's HTTP/2 default is
    // refused by local implementations such as kinesalite), one socket per call in flight.
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(settings.requestTimeoutMs, 3_000),
      requestTimeout: settings.requestTimeoutMs,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: settings.maxConcurrentRequests }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: settings.maxConcurrentRequests }),
    }),
    ...extra,
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message === '' ? error.name : error.message;
  if (/region is missing/i.test(message)) return `${message} (set kinesis.region or AWS_REGION)`;
  return message;
}
