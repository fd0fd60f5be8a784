import type { AckOutcome } from '../dispatcher.js';
import type { DeliveryCallback } from '../sink.js';

/**
 * Collects the confirmations one record needs before its ack, and reports the outcome exactly once:
 * `ok` when every required sink confirmed, a failure as soon as one of them failed. Later,
 * duplicate or stray callbacks from misbehaving sinks are ignored.
 */
export class AckGate {
  #remaining: number;
  #outcome: AckOutcome | undefined;
  #dispatching = true;
  #reported = false;

  constructor(
    required: number,
    private readonly report: (outcome: AckOutcome) => void,
  ) {
    this.#remaining = required;
  }

  /** The callback to hand to one required sink; only its first call counts. */
  callbackFor(sink: string): DeliveryCallback {
    let called = false;
    return (error) => {
      if (called) return;
      called = true;
      if (error === undefined) this.#confirm();
      else this.fail(sink, error);
    };
  }

  fail(sink: string, error: unknown): void {
    this.#settle({ ok: false, sink, error: error instanceof Error ? error : new Error(String(error)) });
  }

  /**
   * Marks the end of `dispatch`. Outcomes reached while writing (sinks that confirm synchronously)
   * are held until now so `onAck` never runs before `dispatch` has returned; they are reported on
   * the next microtask.
   */
  endDispatch(): void {
    this.#dispatching = false;
    if (this.#outcome !== undefined) queueMicrotask(() => this.#emit());
  }

  #confirm(): void {
    this.#remaining -= 1;
    if (this.#remaining === 0) this.#settle({ ok: true });
  }

  #settle(outcome: AckOutcome): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    if (!this.#dispatching) this.#emit();
  }

  #emit(): void {
    if (this.#reported || this.#outcome === undefined) return;
    this.#reported = true;
    this.report(this.#outcome);
  }
}
