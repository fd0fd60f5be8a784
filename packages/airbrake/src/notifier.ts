import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { buildNotice, type NoticeOptions, type Severity } from './notice.js';

export interface AirbrakeNotifierOptions {
  readonly projectId: number;
  readonly projectKey: string;
  /** Airbrake or a compatible server (Errbit, ...). Default: https://api.airbrake.io. */
  readonly host?: string | undefined;
  /** Added to every notice's context. */
  readonly environment?: string | undefined;
  /** For an https host: trusted CAs, and a client certificate and key if the server asks for one. */
  readonly tls?: { readonly ca?: string | Buffer; readonly cert?: string | Buffer; readonly key?: string | Buffer } | undefined;
  /** Per notice. Default: 10 s. */
  readonly timeoutMs?: number | undefined;
  /** Notices being sent at once; more are dropped, so an error storm cannot pile up requests. Default: 8. */
  readonly maxInFlight?: number | undefined;
  /**
   * Where failures to send are reported, at `warn` (never `error`: that could report itself). A pino
   * `Logger` will do; so will a forwarder to a logger created after the notifier (see `airbrakeLogHook`).
   */
  readonly logger?: NotifierLogger | undefined;
}

export interface NotifierLogger {
  warn(details: object, message: string): void;
}

export interface NotifyOptions {
  readonly severity?: Severity | undefined;
  readonly context?: NoticeOptions['context'];
  readonly params?: NoticeOptions['params'];
}

export type NotifyResult =
  | { readonly sent: true; readonly id?: string; readonly url?: string }
  | { readonly sent: false; readonly reason: string };

export const DEFAULT_AIRBRAKE_HOST = 'https://api.airbrake.io';
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_IN_FLIGHT = 8;
/** How long to hold notices back after a 429 that names no delay. */
const DEFAULT_RATE_LIMIT_PAUSE_MS = 60_000;

/**
 * Sends errors to Airbrake's v3 notices API. `notify` never throws and never rejects: reporting an
 * error must not become a second error.
 */
export class AirbrakeNotifier {
  readonly #url: URL;
  readonly #options: AirbrakeNotifierOptions;
  readonly #inFlight = new Set<Promise<NotifyResult>>();
  #pausedUntil = 0;
  #closed = false;

  constructor(options: AirbrakeNotifierOptions) {
    if (!Number.isInteger(options.projectId) || options.projectId < 1) {
      throw new RangeError(`projectId must be a positive integer, got ${options.projectId}`);
    }
    if (options.projectKey === '') throw new RangeError('projectKey must not be empty');
    const host = (options.host || DEFAULT_AIRBRAKE_HOST).replace(/\/+$/, '');
    this.#url = new URL(`${host}/api/v3/projects/${options.projectId}/notices`);
    if (this.#url.protocol !== 'https:' && this.#url.protocol !== 'http:') {
      throw new RangeError(`host must be an http(s) URL, got ${JSON.stringify(options.host)}`);
    }
    this.#options = options;
  }

  /** Where notices go (without the key). */
  get noticesUrl(): string {
    return this.#url.href;
  }

  notify(error: unknown, options: NotifyOptions = {}): Promise<NotifyResult> {
    if (this.#closed) return Promise.resolve({ sent: false, reason: 'the notifier is closed' });
    if (Date.now() < this.#pausedUntil) return Promise.resolve({ sent: false, reason: 'rate limited by the server' });
    if (this.#inFlight.size >= (this.#options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT)) {
      return Promise.resolve({ sent: false, reason: 'too many notices in flight' });
    }
    const notice = buildNotice(error, { ...options, environment: this.#options.environment });
    const sending = this.#post(JSON.stringify(notice)).catch((failure: unknown): NotifyResult => {
      const reason = failure instanceof Error ? failure.message : String(failure);
      this.#options.logger?.warn({ reason, url: this.#url.href }, 'airbrake_notify_failed');
      return { sent: false, reason };
    });
    this.#inFlight.add(sending);
    void sending.finally(() => this.#inFlight.delete(sending));
    return sending;
  }

  /** Waits until the notices being sent are answered, at most `timeoutMs`; true when none is left. */
  async flush(timeoutMs = 5_000): Promise<boolean> {
    if (this.#inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const settled = Promise.all([...this.#inFlight]).then(() => true);
    try {
      return await Promise.race([settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends nothing more; waits for the notices already being sent (see `flush`). */
  async close(timeoutMs?: number): Promise<void> {
    this.#closed = true;
    await this.flush(timeoutMs);
  }

  #post(body: string): Promise<NotifyResult> {
    const url = this.#url;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${this.#options.projectKey}`,
          },
          timeout: this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          ...this.#options.tls,
        },
        (response) => {
          readBody(response)
            .then((text) => resolve(this.#answer(response, text)))
            .catch(reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer from ${url.host} within ${this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }

  #answer(response: IncomingMessage, text: string): NotifyResult {
    const status = response.statusCode ?? 0;
    if (status === 201 || status === 200) {
      const answer = parseJson(text);
      return { sent: true, ...(typeof answer.id === 'string' ? { id: answer.id } : {}), ...(typeof answer.url === 'string' ? { url: answer.url } : {}) };
    }
    if (status === 429) {
      const delaySeconds = Number(response.headers['x-ratelimit-delay'] ?? response.headers['retry-after']);
      this.#pausedUntil = Date.now() + (Number.isFinite(delaySeconds) && delaySeconds > 0 ? delaySeconds * 1000 : DEFAULT_RATE_LIMIT_PAUSE_MS);
    }
    const message = parseJson(text).message;
    throw new Error(`${serverName(response)} answered ${status}${typeof message === 'string' ? `: ${message}` : ''}`);
  }
}

function serverName(response: IncomingMessage): string {
  return `the Airbrake server${response.headers.server ? ` (${String(response.headers.server)})` : ''}`;
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      // Answers are small JSON objects; do not buffer whatever a misconfigured host sends.
      if (text.length < 64 * 1024) text += chunk;
    });
    response.on('end', () => resolve(text));
    response.on('error', reject);
  });
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
