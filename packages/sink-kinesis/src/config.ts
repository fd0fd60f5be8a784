/** The config's `kinesis` section could not configure the sink. */
export class KinesisConfigError extends Error {
  constructor(message: string) {
    super(`kinesis: ${message}`);
    this.name = 'KinesisConfigError';
  }
}

/** What the sink reads from the config's `kinesis` section, with defaults applied. */
export interface KinesisSettings {
  /** Record type → stream name, from `streams` (the environment and the namespace fill the gaps). */
  readonly streams: Readonly<Record<string, string>>;
  /** `max_retries`: how often an entry the service marked failed is sent again. Default 1. */
  readonly maxRetries: number;
  /** `override_host`: the endpoint URL instead of the region's (e.g. a local Kinesis API). */
  readonly overrideHost: string | undefined;
  /** `region`: the AWS region; default the SDK's (AWS_REGION, shared config). */
  readonly region: string | undefined;
  /** `linger_ms`: how long a partial batch waits for more records. Default 20. */
  readonly lingerMs: number;
  /** `max_concurrent_requests`: PutRecords calls in flight at once. Default 8. */
  readonly maxConcurrentRequests: number;
  /** `max_buffered_records`: the sink is saturated at this many pending records. Default 10,000. */
  readonly maxBufferedRecords: number;
  /** `max_buffered_bytes`: ... or at this many pending payload bytes. Default 32 MiB. */
  readonly maxBufferedBytes: number;
  /** `delivery_timeout_ms`: a record not written this long after `write` fails. Default 60,000. */
  readonly deliveryTimeoutMs: number;
  /** `request_timeout_ms`: one API call's time limit. Default 10,000. */
  readonly requestTimeoutMs: number;
  /** `retry_base_delay_ms` / `retry_max_delay_ms`: exponential backoff bounds. Defaults 100 / 5,000. */
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  /** `close_timeout_ms`: how long `close()` waits for pending records before failing them. Default 10,000. */
  readonly closeTimeoutMs: number;
}

const NUMBER_KEYS = {
  max_retries: { field: 'maxRetries', default: 1, min: 0 },
  linger_ms: { field: 'lingerMs', default: 20, min: 0 },
  max_concurrent_requests: { field: 'maxConcurrentRequests', default: 8, min: 1 },
  max_buffered_records: { field: 'maxBufferedRecords', default: 10_000, min: 1 },
  max_buffered_bytes: { field: 'maxBufferedBytes', default: 32 * 1024 * 1024, min: 1 },
  delivery_timeout_ms: { field: 'deliveryTimeoutMs', default: 60_000, min: 1 },
  request_timeout_ms: { field: 'requestTimeoutMs', default: 10_000, min: 1 },
  retry_base_delay_ms: { field: 'retryBaseDelayMs', default: 100, min: 0 },
  retry_max_delay_ms: { field: 'retryMaxDelayMs', default: 5_000, min: 0 },
  close_timeout_ms: { field: 'closeTimeoutMs', default: 10_000, min: 0 },
} as const;

type NumberKey = keyof typeof NUMBER_KEYS;
type NumberField = (typeof NUMBER_KEYS)[NumberKey]['field'];

const STRING_KEYS = new Set(['override_host', 'region', 'streams']);

/**
 * Reads the `kinesis` section. Unknown keys are returned for the caller to warn about (the
 * server warns about unknown keys rather than failing).
 *
 * @throws KinesisConfigError for values of the wrong type or out of range.
 */
export function kinesisSettings(section: Readonly<Record<string, unknown>> = {}): { settings: KinesisSettings; unknownKeys: string[] } {
  const numbers = {} as Record<NumberField, number>;
  for (const [key, spec] of Object.entries(NUMBER_KEYS) as Array<[NumberKey, (typeof NUMBER_KEYS)[NumberKey]]>) {
    numbers[spec.field] = readNumber(section, key, spec.default, spec.min);
  }
  if (numbers.retryMaxDelayMs < numbers.retryBaseDelayMs) {
    throw new KinesisConfigError('retry_max_delay_ms must not be below retry_base_delay_ms');
  }
  const settings: KinesisSettings = {
    ...numbers,
    streams: readStreams(section['streams']),
    overrideHost: readString(section, 'override_host'),
    region: readString(section, 'region'),
  };
  const unknownKeys = Object.keys(section).filter((key) => !(key in NUMBER_KEYS) && !STRING_KEYS.has(key));
  return { settings, unknownKeys };
}

/**
 * The stream a record type goes to: `KINESIS_STREAM_<TYPE UPPERCASE>` from the environment,
 * else `streams[type]`, else `<namespace>_<type>` (the reference server's precedence).
 */
export function streamName(
  recordType: string,
  namespace: string,
  streams: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const fromEnv = env[`KINESIS_STREAM_${recordType.toUpperCase()}`];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const configured = streams[recordType];
  if (configured !== undefined && configured !== '') return configured;
  return `${namespace}_${recordType}`;
}

function readNumber(section: Readonly<Record<string, unknown>>, key: string, fallback: number, min: number): number {
  const value = section[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new KinesisConfigError(`${key} must be a number ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return Math.trunc(value);
}

function readString(section: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = section[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new KinesisConfigError(`${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function readStreams(value: unknown): Readonly<Record<string, string>> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new KinesisConfigError(`streams must map record types to stream names, got ${JSON.stringify(value)}`);
  }
  const streams: Record<string, string> = {};
  for (const [recordType, name] of Object.entries(value)) {
    if (typeof name !== 'string') throw new KinesisConfigError(`streams.${recordType} must be a string, got ${JSON.stringify(name)}`);
    streams[recordType] = name;
  }
  return streams;
}
