import type { ProducerGlobalConfig, ProducerTopicConfig } from 'node-rdkafka';

/** A configuration value librdkafka accepts: every property is set from its text form. */
export type ProducerConfigValue = string | number | boolean;

/** The settings this sink applies when the user's `kafka` section says nothing about them. */
export interface ProducerDefaults {
  /** `linger.ms` (alias `queue.buffering.max.ms`). */
  readonly lingerMs: number;
  readonly clientId: string;
}

export const DEFAULT_PRODUCER_SETTINGS: ProducerDefaults = {
  lingerMs: 5,
  clientId: 'fleet-telemetry',
};

/**
 * librdkafka's topic-level properties that have no global namesake (CONFIGURATION.md, librdkafka
 * 2.12). librdkafka accepts them in the global configuration, but node-rdkafka then replaces the
 * default topic configuration with its own, dropping them silently: they must travel apart.
 */
const TOPIC_PROPERTIES = new Set([
  'request.required.acks',
  'acks',
  'request.timeout.ms',
  'message.timeout.ms',
  'delivery.timeout.ms',
  'queuing.strategy',
  'produce.offset.report',
  'partitioner',
  'partitioner_cb',
  'msg_order_cmp',
  'compression.level',
  'auto.commit.enable',
  'auto.offset.reset',
  'offset.store.path',
  'offset.store.sync.interval.ms',
  'consume.callback.max.messages',
]);

/** The producer's settings, split the way node-rdkafka takes them. */
export interface ProducerSettings {
  readonly global: ProducerGlobalConfig;
  readonly topic: ProducerTopicConfig;
  /** Defaults that were left out because the section's settings rule them out, for the log. */
  readonly notes: readonly string[];
}

/** Thrown when the `kafka` section cannot configure a producer; `key` names the offending entry. */
export class KafkaConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`kafka.${key}: ${message}`);
    this.name = 'KafkaConfigError';
  }
}

/**
 * Turns the config's `kafka` section (a librdkafka configuration) into the producer's settings:
 * - JSON numbers become integers, as the reference server does (`5.0` and `5.9` both mean 5),
 *   because librdkafka rejects `5.9` for its integer properties;
 * - delivery reports are always on (`dr_cb`): they are how this sink confirms writes;
 * - `linger.ms`, `enable.idempotence` (true: retries never duplicate or reorder a VIN's records)
 *   and `client.id` get defaults only when the section sets none of their names; idempotence also
 *   only when the section allows it (`acks` all, at most 5 requests in flight, retries on);
 * - topic-level properties (`acks`, `message.timeout.ms`, `partitioner`, ...) go to the default
 *   topic configuration, everything else to the global one.
 *
 * @throws KafkaConfigError for values librdkafka cannot take (objects, arrays, null) and when
 *   no broker is named.
 */
export function producerConfig(
  section: Readonly<Record<string, unknown>>,
  defaults: ProducerDefaults = DEFAULT_PRODUCER_SETTINGS,
): ProducerSettings {
  const global: Record<string, ProducerConfigValue> = {};
  const topic: Record<string, ProducerConfigValue> = {};
  for (const [key, value] of Object.entries(section)) {
    (TOPIC_PROPERTIES.has(key) ? topic : global)[key] = configValue(key, value);
  }
  if (!hasAny(global, ['bootstrap.servers', 'metadata.broker.list'])) {
    throw new KafkaConfigError('bootstrap.servers', 'is required (the brokers to connect to, e.g. "kafka:9092")');
  }
  if (!hasAny(global, ['linger.ms', 'queue.buffering.max.ms'])) global['linger.ms'] = defaults.lingerMs;
  const notes: string[] = [];
  if (!hasAny(global, ['enable.idempotence'])) {
    const conflicts = idempotenceConflicts({ ...global, ...topic });
    if (conflicts.length === 0) global['enable.idempotence'] = true;
    else notes.push(`enable.idempotence left off: the kafka section sets ${conflicts.join(', ')}`);
  }
  if (!hasAny(global, ['client.id'])) global['client.id'] = defaults.clientId;
  return {
    global: { ...global, dr_cb: true } as ProducerGlobalConfig,
    topic: topic as ProducerTopicConfig,
    notes,
  };
}

/** The brokers a configuration names, for log lines. */
export function bootstrapServers(config: ProducerGlobalConfig): string {
  const settings = config as Readonly<Record<string, unknown>>;
  return String(settings['bootstrap.servers'] ?? settings['metadata.broker.list'] ?? '');
}

function configValue(key: string, value: unknown): ProducerConfigValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new KafkaConfigError(key, `must be a finite number, got ${value}`);
      return Math.trunc(value);
    default:
      throw new KafkaConfigError(key, `must be a string, number or boolean, got ${value === null ? 'null' : typeof value}`);
  }
}

/** The settings that librdkafka refuses to combine with `enable.idempotence`, as `key=value`. */
function idempotenceConflicts(config: Readonly<Record<string, ProducerConfigValue>>): string[] {
  const conflicts: string[] = [];
  const setting = (keys: readonly string[]) => keys.map((key) => [key, config[key]] as const).find(([, value]) => value !== undefined);
  const acks = setting(['acks', 'request.required.acks']);
  if (acks !== undefined && !['all', '-1'].includes(String(acks[1]))) conflicts.push(`${acks[0]}=${acks[1]}`);
  const inFlight = setting(['max.in.flight.requests.per.connection', 'max.in.flight']);
  if (inFlight !== undefined && Number(inFlight[1]) > 5) conflicts.push(`${inFlight[0]}=${inFlight[1]}`);
  const retries = setting(['retries', 'message.send.max.retries']);
  if (retries !== undefined && Number(retries[1]) < 1) conflicts.push(`${retries[0]}=${retries[1]}`);
  return conflicts;
}

function hasAny(config: Readonly<Record<string, unknown>>, keys: readonly string[]): boolean {
  return keys.some((key) => config[key] !== undefined);
}
