/** The config's `pubsub` section or the environment cannot configure the sink. */
export class PubSubConfigError extends Error {
  constructor(message: string) {
    super(`pubsub: ${message}`);
    this.name = 'PubSubConfigError';
  }
}

/** What the sink reads from the config's `pubsub` section, with defaults applied. */
export interface PubSubSettings {
  /** `gcp_project_id` (required). */
  readonly projectId: string;
  /** `batch_max_messages`: messages per Publish call. Default 1,000 (the service's limit). */
  readonly batchMaxMessages: number;
  /** `batch_max_ms`: how long the client lets a batch fill. Default 10. */
  readonly batchMaxMs: number;
  /** `batch_max_bytes`: bytes per Publish call. Default 9 MiB (the client's cap). */
  readonly batchMaxBytes: number;
  /** `max_buffered_records`: the sink is saturated at this many pending records. Default 10,000. */
  readonly maxBufferedRecords: number;
  /** `max_buffered_bytes`: ... or at this many pending payload bytes. Default 32 MiB. */
  readonly maxBufferedBytes: number;
  /** `delivery_timeout_ms`: a record not published this long after `write` fails. Default 60,000. */
  readonly deliveryTimeoutMs: number;
  /** `request_timeout_ms`: one API call's time limit (Publish, topic lookups at start). Default 10,000. */
  readonly requestTimeoutMs: number;
  /** `retry_base_delay_ms` / `retry_max_delay_ms`: exponential backoff bounds. Defaults 100 / 5,000. */
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  /** `close_timeout_ms`: how long `close()` waits for pending records before failing them. Default 10,000. */
  readonly closeTimeoutMs: number;
}

const NUMBER_KEYS = {
  batch_max_messages: { field: 'batchMaxMessages', default: 1_000, min: 1 },
  batch_max_ms: { field: 'batchMaxMs', default: 10, min: 0 },
  batch_max_bytes: { field: 'batchMaxBytes', default: 9 * 1024 * 1024, min: 1 },
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

/**
 * Reads the `pubsub` section. Unknown keys are returned for the caller to warn about.
 *
 * @throws PubSubConfigError without `gcp_project_id`, or for values of the wrong type.
 */
export function pubSubSettings(section: Readonly<Record<string, unknown>> = {}): { settings: PubSubSettings; unknownKeys: string[] } {
  const projectId = section['gcp_project_id'];
  if (typeof projectId !== 'string' || projectId === '') {
    throw new PubSubConfigError(`gcp_project_id is required (the Google Cloud project of the topics), got ${JSON.stringify(projectId)}`);
  }
  const numbers = {} as Record<NumberField, number>;
  for (const [key, spec] of Object.entries(NUMBER_KEYS) as Array<[NumberKey, (typeof NUMBER_KEYS)[NumberKey]]>) {
    const value = section[key];
    if (value === undefined || value === null) {
      numbers[spec.field] = spec.default;
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value < spec.min) {
      throw new PubSubConfigError(`${key} must be a number ≥ ${spec.min}, got ${JSON.stringify(value)}`);
    } else {
      numbers[spec.field] = Math.trunc(value);
    }
  }
  if (numbers.retryMaxDelayMs < numbers.retryBaseDelayMs) {
    throw new PubSubConfigError('retry_max_delay_ms must not be below retry_base_delay_ms');
  }
  const unknownKeys = Object.keys(section).filter((key) => key !== 'gcp_project_id' && !(key in NUMBER_KEYS));
  return { settings: { projectId, ...numbers }, unknownKeys };
}

/** How the client reaches Pub/Sub, from the environment. */
export type PubSubTarget = { readonly kind: 'emulator'; readonly host: string } | { readonly kind: 'google'; readonly keyFile: string | undefined };

/**
 * `PUBSUB_EMULATOR_HOST` points at an emulator; otherwise Google Cloud with Application Default
 * Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, or the metadata server).
 *
 * @throws PubSubConfigError when both variables are set: the reference server refuses that too.
 */
export function pubSubTarget(env: Readonly<Record<string, string | undefined>>): PubSubTarget {
  const emulator = env['PUBSUB_EMULATOR_HOST'];
  const keyFile = env['GOOGLE_APPLICATION_CREDENTIALS'];
  const hasEmulator = emulator !== undefined && emulator !== '';
  const hasKeyFile = keyFile !== undefined && keyFile !== '';
  if (hasEmulator && hasKeyFile) {
    throw new PubSubConfigError(
      `both PUBSUB_EMULATOR_HOST (${emulator}) and GOOGLE_APPLICATION_CREDENTIALS (${keyFile}) are set: ` +
        'the sink cannot use the emulator and Google Cloud at once; unset one of them',
    );
  }
  return hasEmulator ? { kind: 'emulator', host: emulator } : { kind: 'google', keyFile: hasKeyFile ? keyFile : undefined };
}

/** Topic per record type: `<namespace>_<record type>`, as the reference server names them. */
export function topicName(namespace: string, recordType: string): string {
  return `${namespace}_${recordType}`;
}
