import type { Logger } from 'pino';

export interface BrokerReachabilityOptions {
  /** The configured brokers, for log lines and health details. */
  readonly brokers: string;
  readonly logger: Logger;
  /** Resolves when a broker answers, rejects when none does in time. */
  readonly probe: () => Promise<unknown>;
  /** Pause between probes while no broker is reachable. */
  readonly probeIntervalMs: number;
}

type State = 'unknown' | 'reachable' | 'unreachable';

/**
 * Whether the producer can reach a broker, from librdkafka's "all brokers down" errors, delivery
 * reports and metadata probes. Logs one line per change, and probes while no broker is
 * reachable so the state recovers even when no record is being written.
 */
export class BrokerReachability {
  readonly #options: BrokerReachabilityOptions;
  #state: State = 'unknown';
  #since = Date.now();
  #timer: NodeJS.Timeout | undefined;
  #probing = false;
  #stopped = false;

  constructor(options: BrokerReachabilityOptions) {
    this.#options = options;
  }

  get reachable(): boolean {
    return this.#state === 'reachable';
  }

  /** For health details: `connected to ...`, `broker unreachable at ... for 12s`. */
  describe(now = Date.now()): string {
    const { brokers } = this.#options;
    switch (this.#state) {
      case 'reachable':
        return `connected to ${brokers}`;
      case 'unreachable':
        return `broker unreachable at ${brokers} for ${Math.round((now - this.#since) / 1000)}s`;
      default:
        return `not connected to ${brokers} yet`;
    }
  }

  markReachable(): void {
    if (this.#state === 'reachable' || this.#stopped) return;
    const { logger, brokers } = this.#options;
    if (this.#state === 'unreachable') {
      logger.info({ brokers, unreachable_ms: Date.now() - this.#since }, `kafka broker reachable again at ${brokers}`);
    } else {
      logger.info({ brokers }, `kafka connected to ${brokers}`);
    }
    this.#enter('reachable');
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  markUnreachable(reason: Error | string): void {
    if (this.#state === 'unreachable' || this.#stopped) return;
    const { logger, brokers } = this.#options;
    const err = typeof reason === 'string' ? undefined : reason;
    const detail = typeof reason === 'string' ? reason : reason.message;
    logger.warn({ brokers, err, reason: detail }, `kafka broker unreachable at ${brokers}; records will be retried until it is`);
    this.#enter('unreachable');
    this.#scheduleProbe();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #enter(state: State): void {
    this.#state = state;
    this.#since = Date.now();
  }

  #scheduleProbe(): void {
    if (this.#timer !== undefined || this.#probing || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#probing = true;
      this.#options.probe().then(
        () => {
          this.#probing = false;
          this.markReachable();
        },
        () => {
          this.#probing = false;
          if (this.#state === 'unreachable') this.#scheduleProbe();
        },
      );
    }, this.#options.probeIntervalMs);
    this.#timer.unref();
  }
}
