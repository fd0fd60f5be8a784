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
import Kafka, { type DeliveryReport, type LibrdKafkaError, type Producer } from 'node-rdkafka';
import { pino, type Logger } from 'pino';
import { BrokerReachability } from './broker-reachability.js';
import { asError, connectWithoutBroker, disconnect, probeBroker } from './connection.js';
import { KafkaDeliveryError, KafkaOverflowError } from './errors.js';
import { Fifo } from './fifo.js';
import { metadataHeaders, payloadBuffer, topicName } from './message.js';
import { KafkaSinkMetrics } from './metrics.js';
import { bootstrapServers, producerConfig } from './producer-config.js';

export interface KafkaSinkOptions {
  /**
   * The config's `kafka` section: a librdkafka configuration, passed through as is (JSON
   * numbers become integers). `bootstrap.servers` is required.
   */
  readonly config: Readonly<Record<string, unknown>>;
  /** Records go to the topic `<namespace>_<record type>`, e.g. `tesla_V`. */
  readonly namespace: string;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Default: `metrics.getMeter('@fleet-telemetry/sink-kafka')`. */
  readonly meter?: Meter;
  /** The name the config's `records` uses. Default `kafka`. */
  readonly name?: string;
  /** How often librdkafka is polled for delivery reports, in ms. Default 5. */
  readonly pollIntervalMs?: number;
  /**
   * Records the sink holds while librdkafka's queue is full (`queue.buffering.max.messages` /
   * `.kbytes`). The sink reports itself saturated while it holds any; beyond this many, writes
   * fail through their callback. Default 10,000.
   */
  readonly overflowLimit?: number;
  /** How long `start()` waits for a broker to answer before it resolves anyway, in ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Pause between broker probes while none is reachable, in ms. Default 2,000. */
  readonly probeIntervalMs?: number;
  /** How long `close()` waits for outstanding deliveries before failing them, in ms. Default 10,000. */
  readonly closeTimeoutMs?: number;
}

/** A record librdkafka holds; its delivery report settles it. */
interface InFlight {
  readonly recordType: string;
  readonly bytes: number;
  readonly onDelivered: DeliveryCallback | undefined;
}

/** A record waiting for room in librdkafka's queue. */
interface Held {
  readonly record: TelemetryRecord;
  readonly onDelivered: DeliveryCallback | undefined;
}

type ProduceOutcome = 'queued' | 'queue-full' | 'failed';

const DEFAULTS = {
  pollIntervalMs: 5,
  overflowLimit: 10_000,
  connectTimeoutMs: 5_000,
  probeIntervalMs: 2_000,
  closeTimeoutMs: 10_000,
};

const QUEUE_FULL = Kafka.CODES.ERRORS.ERR__QUEUE_FULL;
const ALL_BROKERS_DOWN = /all broker connections are down/i;
const FATAL = /^fatal error$/i;
const TRANSPORT_FAILURE = /transport failure/i;
/** A background probe waits this long at most: it holds one libuv worker thread meanwhile. */
const PROBE_TIMEOUT_MS = 1_000;

/**
 * Writes records to Kafka with node-rdkafka (librdkafka): topic `<namespace>_<record type>`,
 * key = VIN, value = the payload bytes, headers = the record metadata, timestamp = now.
 *
 * A record is confirmed (`onDelivered()` without an error) when its delivery report says the
 * broker has it, so the sink can be a reliable-ack source. Nothing is dropped silently: while
 * librdkafka's queue is full the sink holds records and reports itself saturated; while no broker
 * is reachable librdkafka keeps retrying; a record it gives up on (`message.timeout.ms`) fails
 * through its callback and counts in `kafka_err`.
 */
export class KafkaSink implements Sink {
  readonly name: string;
  readonly confirmsWrites = true;
  readonly #namespace: string;
  readonly #brokers: string;
  readonly #logger: Logger;
  readonly #errorLog: ThrottledLog;
  readonly #metrics: KafkaSinkMetrics;
  readonly #producer: Producer;
  readonly #reachability: BrokerReachability;
  readonly #settings: typeof DEFAULTS;
  readonly #topics = new Map<string, string>();
  readonly #inFlight = new Set<InFlight>();
  readonly #held = new Fifo<Held>();
  readonly #drain = new DrainNotifier();
  readonly #idle = new IdleWaiters();
  #connected = false;
  #closed = false;
  #fatal: Error | undefined;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #drainScheduled = false;

  /** @throws KafkaConfigError when the `kafka` section cannot configure a producer. */
  constructor(options: KafkaSinkOptions) {
    this.name = options.name ?? 'kafka';
    this.#namespace = options.namespace;
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#errorLog = new ThrottledLog(this.#logger);
    this.#settings = { ...DEFAULTS, ...definedOnly(options) };
    const settings = producerConfig(options.config);
    if (options.config['dr_cb'] === false) {
      this.#logger.warn('kafka.dr_cb is always on: delivery reports are how this sink confirms writes');
    }
    for (const note of settings.notes) this.#logger.info(note);
    this.#brokers = bootstrapServers(settings.global);
    // librdkafka validates every property here, so a bad section fails before start-up goes on.
    this.#producer = new Kafka.Producer(settings.global, settings.topic);
    this.#producer.on('delivery-report', (error, report) => this.#onDeliveryReport(error, report));
    this.#producer.on('event.error', (error) => this.#onClientError(error));
    this.#producer.on('event.log', (event: { severity: number; fac: string; message: string }) =>
      this.#logger.debug({ fac: event.fac, severity: event.severity }, `librdkafka: ${event.message}`),
    );
    this.#reachability = new BrokerReachability({
      brokers: this.#brokers,
      logger: this.#logger,
      probe: () => probeBroker(this.#producer, Math.min(PROBE_TIMEOUT_MS, this.#settings.connectTimeoutMs)),
      probeIntervalMs: this.#settings.probeIntervalMs,
    });
    this.#metrics = new KafkaSinkMetrics(options.meter ?? metrics.getMeter('@fleet-telemetry/sink-kafka'), () => ({
      total: this.#inFlight.size,
      overflow: this.#held.length,
    }));
  }

  /**
   * Creates the librdkafka client and asks the cluster for its brokers. When none answers within
   * `connectTimeoutMs` it logs `kafka broker unreachable at ...` and resolves anyway: records
   * are queued and retried until a broker takes them. Records written before `start()` wait.
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
    // Behind held records a record waits its turn: a VIN's records stay in order.
    if (!this.#connected || this.#held.length > 0) {
      this.#hold(record, onDelivered);
      return;
    }
    if (this.#produce(record, onDelivered) === 'queue-full') this.#hold(record, onDelivered);
  }

  /** True while librdkafka's queue is full and the sink holds records back. */
  isSaturated(): boolean {
    return this.#held.length > 0;
  }

  onDrain(listener: () => void): () => void {
    return this.#drain.subscribe(listener);
  }

  /** Resolves when every record written so far is confirmed or failed, or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    if (this.#pending === 0) return;
    await this.#idle.wait(timeoutMs);
  }

  /**
   * Stops taking records, waits up to `closeTimeoutMs` for outstanding deliveries, fails what is
   * left (those vehicles were not acked and resend) and destroys the librdkafka client.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  health(): SinkHealth {
    const pending = this.#pending;
    if (this.#closed) return { healthy: false, detail: 'closed', pending };
    if (!this.#connected) return { healthy: false, detail: 'not started', pending };
    if (this.#fatal !== undefined) return { healthy: false, detail: `producer failed: ${this.#fatal.message}`, pending };
    return { healthy: this.#reachability.reachable, detail: this.#reachability.describe(), pending };
  }

  get #pending(): number {
    return this.#inFlight.size + this.#held.length;
  }

  async #start(): Promise<void> {
    if (this.#closed) throw new SinkClosedError(this.name);
    await connectWithoutBroker(this.#producer);
    this.#connected = true;
    this.#pollTimer = setInterval(() => this.#poll(), this.#settings.pollIntervalMs);
    this.#pollTimer.unref();
    this.#scheduleDrain();
    try {
      await probeBroker(this.#producer, this.#settings.connectTimeoutMs);
      this.#reachability.markReachable();
    } catch (error) {
      this.#reachability.markUnreachable(asError(error));
    }
  }

  async #close(): Promise<void> {
    this.#closed = true;
    await this.#starting?.catch(() => {});
    await this.flush(this.#settings.closeTimeoutMs);
    this.#reachability.stop();
    for (const held of this.#held.takeAll()) this.#fail(held.record.recordType, held.onDelivered, new SinkClosedError(this.name));
    clearInterval(this.#pollTimer);
    await disconnect(this.#producer, 0);
    this.#connected = false;
    const unconfirmed = [...this.#inFlight];
    this.#inFlight.clear();
    if (unconfirmed.length > 0) {
      this.#logger.warn({ records: unconfirmed.length }, 'kafka sink closed before the broker confirmed every record');
    }
    for (const entry of unconfirmed) {
      this.#fail(entry.recordType, entry.onDelivered, new KafkaDeliveryError('the sink closed before the broker confirmed the record'));
    }
    this.#metrics.dispose();
    this.#idle.notifyIdle();
  }

  #produce(record: TelemetryRecord, onDelivered: DeliveryCallback | undefined): ProduceOutcome {
    const entry: InFlight = { recordType: record.recordType, bytes: record.payload.byteLength, onDelivered };
    try {
      // The entry is the opaque: the delivery report hands it back, which settles the record.
      this.#producer.produce(
        this.#topicOf(record.recordType),
        null,
        payloadBuffer(record.payload),
        record.vin,
        Date.now(),
        entry,
        metadataHeaders(record.metadata),
      );
    } catch (error) {
      if ((error as Partial<LibrdKafkaError>).code === QUEUE_FULL) return 'queue-full';
      this.#fail(record.recordType, onDelivered, new KafkaDeliveryError(`librdkafka refused the record: ${asError(error).message}`, error));
      return 'failed';
    }
    this.#inFlight.add(entry);
    const attributes = this.#metrics.typeAttributes(record.recordType);
    this.#metrics.produced.add(1, attributes);
    this.#metrics.producedBytes.add(entry.bytes, attributes);
    return 'queued';
  }

  /** `<namespace>_<record type>`, built once per record type (only routed types reach a sink). */
  #topicOf(recordType: string): string {
    let topic = this.#topics.get(recordType);
    if (topic === undefined) {
      topic = topicName(this.#namespace, recordType);
      this.#topics.set(recordType, topic);
    }
    return topic;
  }

  #hold(record: TelemetryRecord, onDelivered: DeliveryCallback | undefined): void {
    if (this.#held.length >= this.#settings.overflowLimit) {
      this.#fail(record.recordType, onDelivered, new KafkaOverflowError(this.#settings.overflowLimit));
      return;
    }
    this.#held.push({ record, onDelivered });
  }

  /** Moves held records into librdkafka's queue while it has room. */
  #drainHeld(): void {
    if (!this.#connected || this.#held.length === 0) return;
    for (let held = this.#held.peek(); held !== undefined; held = this.#held.peek()) {
      if (this.#produce(held.record, held.onDelivered) === 'queue-full') return;
      this.#held.shift();
    }
    this.#drain.notify((error) => this.#logger.error({ err: error }, 'kafka drain listener threw'));
    this.#notifyIfIdle();
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled || this.#held.length === 0) return;
    this.#drainScheduled = true;
    setImmediate(() => {
      this.#drainScheduled = false;
      this.#drainHeld();
    });
  }

  #poll(): void {
    try {
      this.#producer.poll();
    } catch {
      // Polling fails only once the client is gone; close() stops the timer right after.
    }
    this.#scheduleDrain();
  }

  #onDeliveryReport(error: LibrdKafkaError | null | undefined, report: DeliveryReport | undefined): void {
    const entry = report?.opaque as InFlight | undefined;
    // Unknown or already settled (close() fails what is left when it gives up waiting).
    if (entry === undefined || !this.#inFlight.delete(entry)) return;
    if (error) {
      this.#fail(entry.recordType, entry.onDelivered, new KafkaDeliveryError(`the broker did not confirm the record: ${error.message}`, error));
    } else {
      this.#reachability.markReachable();
      const attributes = this.#metrics.typeAttributes(entry.recordType);
      this.#metrics.acked.add(1, attributes);
      this.#metrics.ackedBytes.add(entry.bytes, attributes);
      if (entry.onDelivered !== undefined) {
        this.#metrics.reliableAcks.add(1, attributes);
        this.#callBack(entry.onDelivered, undefined);
      }
    }
    this.#scheduleDrain();
    this.#notifyIfIdle();
  }

  #onClientError(error: LibrdKafkaError): void {
    const message = error.message ?? String(error);
    if (ALL_BROKERS_DOWN.test(message)) {
      this.#reachability.markUnreachable(asError(error));
      return;
    }
    if (FATAL.test(message) && this.#fatal === undefined) {
      this.#fatal = asError(error);
      this.#logger.error({ err: this.#fatal }, 'kafka producer failed for good; restart the server to recover');
      return;
    }
    // While no broker is reachable, transport failures are that same outage, already logged; other
    // errors (name resolution, authentication, ...) may be its cause and are worth a line.
    if (!this.#reachability.reachable && TRANSPORT_FAILURE.test(message)) return;
    this.#errorLog.log('warn', `client:${message}`, { err: asError(error) }, 'kafka client error');
  }

  /** A record that will not reach Kafka: count it, log it (throttled) and tell its writer. */
  #fail(recordType: string, onDelivered: DeliveryCallback | undefined, error: Error): void {
    this.#metrics.errors.add(1);
    this.#errorLog.log('error', error.message, { err: error, record_type: recordType }, 'kafka_err');
    this.#callBack(onDelivered, error);
  }

  #callBack(onDelivered: DeliveryCallback | undefined, error: Error | undefined): void {
    if (onDelivered === undefined) return;
    try {
      onDelivered(error);
    } catch (thrown) {
      // A throwing callback must not reach librdkafka's event dispatch (it would crash the process).
      this.#logger.error({ err: thrown }, 'kafka delivery callback threw');
    }
  }

  #notifyIfIdle(): void {
    if (this.#pending === 0) this.#idle.notifyIdle();
  }
}

function definedOnly(options: KafkaSinkOptions): Partial<typeof DEFAULTS> {
  const settings: Partial<Record<keyof typeof DEFAULTS, number>> = {};
  for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const value = options[key];
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}
