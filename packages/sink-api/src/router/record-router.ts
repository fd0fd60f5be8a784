import { metrics, type Meter } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import type { AckOutcome, DispatchResult, RecordDispatcher } from '../dispatcher.js';
import { DrainNotifier } from '../drain-notifier.js';
import { RoutingConfigError } from '../errors.js';
import type { TelemetryRecord } from '../record.js';
import {
  validateRoutingConfig,
  type RoutingConfig,
  type RoutingProblem,
  type RoutingValidation,
} from '../routing-config.js';
import type { DeliveryCallback, Sink, SinkHealth } from '../sink.js';
import type { SummedTotal } from '../summed-counter.js';
import { AckGate } from './ack-gate.js';
import { createRouterMetrics, type RouterMetrics } from './metrics.js';

/**
 * Which confirmations a reliably acked record waits for.
 * - `source`: the sink(s) named in `reliable_ack_sources` (the reference server's behaviour).
 * - `all-durable`: every sink of the record type that can confirm writes, so a vehicle never drops
 *   a record that one of the durable sinks lost.
 * Either way a record type without a `reliable_ack_sources` entry is acked at once.
 */
export type AckPolicy = 'source' | 'all-durable';

export interface RecordRouterOptions {
  /** Record type → the sinks its records are written to. */
  readonly routes: Readonly<Record<string, readonly Sink[]>>;
  /** Record type → the name(s) of the sink(s) whose confirmation acks it (`reliable_ack_sources`). */
  readonly reliableAck?: Readonly<Record<string, string | readonly string[]>>;
  /** Default `source`. */
  readonly ackPolicy?: AckPolicy;
  readonly logger?: Logger;
  /** Default: `metrics.getMeter('@fleet-telemetry/sink-api')`. */
  readonly meter?: Meter;
}

/** The routing part of the server config, with the sink instances created from it. */
export interface RecordRouterConfig extends Omit<RoutingConfig, 'availableSinks'> {
  readonly sinks: readonly Sink[];
  readonly ackPolicy?: AckPolicy;
  readonly logger?: Logger;
  readonly meter?: Meter;
}

interface Route {
  readonly sinks: readonly Sink[];
  /** The sinks whose confirmation the ack waits for; empty when the type is acked at once. */
  readonly required: ReadonlySet<Sink>;
  /** This type's metric totals, bound once: counting a record looks nothing up. */
  readonly dispatched: SummedTotal;
  readonly reliableAcks: SummedTotal;
  readonly reliableAckMisses: SummedTotal;
}

/**
 * Dispatches records to the sinks of their type and decides when the vehicle gets its ack.
 *
 * Metrics: the router counts `dispatch_total` for every dispatched record. `reliable_ack` and
 * `reliable_ack_miss` depend on whether the vehicle's socket was still there when the record was
 * confirmed, which only the caller knows: it reports that through `reportAck`.
 */
export class RecordRouter implements RecordDispatcher {
  /** Start-up validation of `records` / `reliable_ack_sources`, before any sink exists. */
  static readonly validateConfig: (config: RoutingConfig) => RoutingValidation = validateRoutingConfig;

  /**
   * Builds a router from the config's `records`, `reliable_ack_sources` (and legacy `reliable_ack`)
   * and the created sinks. Throws `RoutingConfigError` naming every offending key; logs warnings.
   */
  static fromConfig(config: RecordRouterConfig): RecordRouter {
    const logger = config.logger ?? silentLogger();
    const validation = validateRoutingConfig({ ...config, availableSinks: config.sinks });
    throwOnErrors(validation.problems, logger);
    const byName = new Map(config.sinks.map((sink) => [sink.name, sink]));
    const routes: Record<string, Sink[]> = {};
    for (const [recordType, names] of Object.entries(config.records)) {
      // Duplicates were already reported by the validation above.
      routes[recordType] = [...new Set(names)].map((name) => byName.get(name)).filter((sink) => sink !== undefined);
    }
    return new RecordRouter({
      routes,
      reliableAck: validation.reliableAckSources,
      ackPolicy: config.ackPolicy,
      logger,
      meter: config.meter,
    });
  }

  readonly #routes = new Map<string, Route>();
  readonly #sinks: readonly Sink[];
  readonly #logger: Logger;
  readonly #metrics: RouterMetrics;
  readonly #drain = new DrainNotifier();
  readonly #sinkDrainSubscriptions: Array<() => void>;
  #closing: Promise<void> | undefined;

  constructor(options: RecordRouterOptions) {
    this.#logger = options.logger ?? silentLogger();
    this.#metrics = createRouterMetrics(options.meter ?? metrics.getMeter('@fleet-telemetry/sink-api'));
    this.#sinks = uniqueSinks(options.routes);
    const validation = validateRoutingConfig({
      records: Object.fromEntries(
        Object.entries(options.routes).map(([type, sinks]) => [type, sinks.map((sink) => sink.name)]),
      ),
      reliableAckSources: options.reliableAck,
      availableSinks: this.#sinks,
    });
    throwOnErrors([...validation.problems, ...nameClashes(this.#sinks)], this.#logger);

    const policy = options.ackPolicy ?? 'source';
    for (const [recordType, listed] of Object.entries(options.routes)) {
      const sinks = [...new Set(listed)];
      const sources = validation.reliableAckSources[recordType] ?? [];
      const required =
        sources.length === 0
          ? []
          : policy === 'all-durable'
            ? sinks.filter((sink) => sink.confirmsWrites)
            : sinks.filter((sink) => sources.includes(sink.name));
      const typeAttributes = { record_type: recordType };
      const ackAttributes = { record_type: recordType, dispatcher: required.map((sink) => sink.name).join(',') };
      this.#routes.set(recordType, {
        sinks,
        required: new Set(required),
        dispatched: this.#metrics.dispatched.bind(typeAttributes),
        reliableAcks: this.#metrics.reliableAck.bind(ackAttributes),
        reliableAckMisses: this.#metrics.reliableAckMiss.bind(ackAttributes),
      });
    }
    this.#sinkDrainSubscriptions = this.#sinks.map((sink) => sink.onDrain(() => this.#onSinkDrain()));
  }

  /** Every sink the router writes to, once each. */
  get sinks(): readonly Sink[] {
    return this.#sinks;
  }

  get recordTypes(): readonly string[] {
    return [...this.#routes.keys()];
  }

  hasRoute(recordType: string): boolean {
    return this.#routes.has(recordType);
  }

  /** Whether records of this type wait for sink confirmations before their ack. */
  isReliablyAcked(recordType: string): boolean {
    return (this.#routes.get(recordType)?.required.size ?? 0) > 0;
  }

  dispatch(record: TelemetryRecord, onAck: (outcome: AckOutcome) => void): DispatchResult {
    const route = this.#routes.get(record.recordType);
    if (route === undefined) return 'no-route';
    route.dispatched.add(1);

    if (route.required.size === 0) {
      for (const sink of route.sinks) this.#write(sink, record, undefined);
      return 'ack-now';
    }

    const gate = new AckGate(route.required.size, (outcome) => this.#reportOutcome(record, outcome, onAck));
    for (const sink of route.sinks) {
      const required = route.required.has(sink);
      const thrown = this.#write(sink, record, required ? gate.callbackFor(sink.name) : undefined);
      if (required && thrown !== undefined) gate.fail(sink.name, thrown);
    }
    gate.endDispatch();
    return 'ack-pending';
  }

  /**
   * Counts what became of a confirmed record's ack: `sent` to the vehicle (`reliable_ack`) or
   * `missed` because its socket had closed (`reliable_ack_miss`).
   */
  reportAck(recordType: string, result: 'sent' | 'missed'): void {
    const route = this.#routes.get(recordType);
    if (route === undefined || route.required.size === 0) return;
    (result === 'sent' ? route.reliableAcks : route.reliableAckMisses).add(1);
  }

  /** Whether any sink (of `recordType`, when given) wants producers to stop feeding it. */
  isSaturated(recordType?: string): boolean {
    // Asked after every frame: a plain loop, no closures.
    const sinks = recordType === undefined ? this.#sinks : (this.#routes.get(recordType)?.sinks ?? []);
    for (const sink of sinks) {
      if (isSinkSaturated(sink)) return true;
    }
    return false;
  }

  /** Calls `listener` each time the last saturated sink drains. Returns an unsubscribe. */
  onDrain(listener: () => void): () => void {
    return this.#drain.subscribe(listener);
  }

  /** Starts every sink once, in parallel. Rejects naming the sinks that failed to start. */
  async start(): Promise<void> {
    await this.#eachSink('start', (sink) => sink.start());
  }

  /** Waits, at most `timeoutMs`, until every sink has settled what it accepted. */
  async flush(timeoutMs: number): Promise<void> {
    await this.#eachSink('flush', (sink) => sink.flush(timeoutMs));
  }

  /** Closes every sink once. Idempotent: later calls return the first call's promise. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const unsubscribe of this.#sinkDrainSubscriptions) unsubscribe();
      await this.#eachSink('close', (sink) => sink.close());
    })();
    return this.#closing;
  }

  /** Each sink's health, by sink name. */
  health(): Record<string, SinkHealth> {
    return Object.fromEntries(
      this.#sinks.map((sink) => [
        sink.name,
        safely((): SinkHealth => sink.health(), { healthy: false, detail: 'health() threw' }),
      ]),
    );
  }

  /** Returns what `write` threw, if it did (a sink bug: writes report through their callback). */
  #write(sink: Sink, record: TelemetryRecord, onDelivered: DeliveryCallback | undefined): unknown {
    try {
      sink.write(record, onDelivered);
      return undefined;
    } catch (error) {
      this.#metrics.writeExceptions.add(1, { sink: sink.name, record_type: record.recordType });
      this.#logger.error(
        { err: error, sink: sink.name, record_type: record.recordType, txid: record.txid },
        'sink_write_exception',
      );
      return error ?? new Error(`sink "${sink.name}" threw from write`);
    }
  }

  #reportOutcome(record: TelemetryRecord, outcome: AckOutcome, onAck: (outcome: AckOutcome) => void): void {
    if (!outcome.ok) {
      this.#logger.debug(
        { err: outcome.error, sink: outcome.sink, record_type: record.recordType, txid: record.txid },
        'record_not_acked',
      );
    }
    try {
      onAck(outcome);
    } catch (error) {
      this.#logger.error({ err: error, record_type: record.recordType, txid: record.txid }, 'ack_callback_error');
    }
  }

  #onSinkDrain(): void {
    if (this.isSaturated()) return;
    this.#drain.notify((error) => this.#logger.error({ err: error }, 'drain_listener_error'));
  }

  async #eachSink(action: string, run: (sink: Sink) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(this.#sinks.map(async (sink) => run(sink)));
    const failures = results.flatMap((result, index) =>
      result.status === 'rejected' ? [{ sink: this.#sinks[index]?.name ?? '?', reason: result.reason as unknown }] : [],
    );
    for (const failure of failures) {
      this.#logger.error({ err: failure.reason, sink: failure.sink }, `sink_${action}_error`);
    }
    if (failures.length > 0) {
      throw new AggregateError(
        failures.map((failure) => failure.reason),
        `${action} failed for sink(s): ${failures.map((failure) => failure.sink).join(', ')}`,
      );
    }
  }
}

function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

function throwOnErrors(problems: readonly RoutingProblem[], logger: Logger): void {
  for (const problem of problems) {
    if (problem.severity === 'warning') logger.warn({ key: problem.key }, problem.message);
  }
  const errors = problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) throw new RoutingConfigError(errors);
}

function uniqueSinks(routes: Readonly<Record<string, readonly Sink[]>>): readonly Sink[] {
  return [...new Set(Object.values(routes).flat())];
}

/** Two different sink objects under one name would make `reliable_ack_sources` ambiguous. */
function nameClashes(sinks: readonly Sink[]): RoutingProblem[] {
  const seen = new Set<string>();
  const problems: RoutingProblem[] = [];
  for (const sink of sinks) {
    if (seen.has(sink.name)) {
      problems.push({ severity: 'error', key: 'records', message: `two different sinks are named "${sink.name}"` });
    }
    seen.add(sink.name);
  }
  return problems;
}

/** A sink whose `isSaturated` throws is taken as not saturated (as `health` takes it as unhealthy). */
function isSinkSaturated(sink: Sink): boolean {
  try {
    return sink.isSaturated();
  } catch {
    return false;
  }
}

function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
