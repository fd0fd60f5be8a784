import type { Logger } from 'pino';

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

export interface SignalOptions {
  readonly logger: Logger;
  /** Called on the second signal, while the first shutdown is still running. */
  readonly onForce: (signal: ShutdownSignal) => void;
  /** Where signals come from. Default: this process. */
  readonly process?: SignalSource;
}

export interface SignalSource {
  on(signal: ShutdownSignal, listener: (signal: ShutdownSignal) => void): unknown;
  off(signal: ShutdownSignal, listener: (signal: ShutdownSignal) => void): unknown;
}

/**
 * Resolves on the first SIGTERM or SIGINT so the caller can shut down in order; a second signal
 * means the operator will not wait, and `onForce` ends the process.
 */
export function waitForShutdownSignal(options: SignalOptions): Promise<ShutdownSignal> {
  const target: SignalSource = options.process ?? process;
  return new Promise((resolve) => {
    let received: ShutdownSignal | undefined;
    const handle = (signal: ShutdownSignal) => {
      if (received === undefined) {
        received = signal;
        options.logger.info({ signal }, 'shutdown_requested');
        resolve(signal);
        return;
      }
      options.logger.warn({ signal }, 'shutdown_forced');
      for (const name of ['SIGTERM', 'SIGINT'] as const) target.off(name, handle);
      options.onForce(signal);
    };
    for (const name of ['SIGTERM', 'SIGINT'] as const) target.on(name, handle);
  });
}
