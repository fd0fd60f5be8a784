import type { CallFailure } from './batcher.js';

/** Error names Kinesis (and AWS in general) uses for "slow down" and passing trouble. */
const PASSING = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'KMSThrottlingException',
  'InternalFailure',
  'ServiceUnavailable',
  'ExpiredTokenException',
  'RequestExpired',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/**
 * Sorts a failed AWS SDK call: retryable when it never got an answer (network, timeout), was
 * throttled, or the service failed (5xx); otherwise (a missing stream, bad credentials, a
 * rejected request) retrying cannot help.
 */
export function classifyCallError(error: unknown): CallFailure {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const code = typeof shape.code === 'string' ? shape.code : name;
  const message = typeof shape.message === 'string' && shape.message !== '' ? shape.message : String(error);
  const status = shape.$metadata?.httpStatusCode;
  const retryable =
    status === undefined || status >= 500 || status === 429 || shape.$retryable !== undefined || PASSING.has(name) || PASSING.has(code);
  return { retryable, code, message };
}
