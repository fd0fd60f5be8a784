import { backoffDelay } from './backoff.js';
import { KinesisDeliveryError } from './errors.js';
import { MAX_BYTES_PER_CALL, MAX_RECORDS_PER_CALL, entrySize } from './limits.js';

/** One record as PutRecords sends it. */
export interface BatchEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

/** PutRecords' verdict on one entry, in request order: no `errorCode` means it was written. */
export interface EntryResult {
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
}

/** Sends one PutRecords call. Rejects when the call as a whole failed. */
export type PutRecords = (stream: string, entries: readonly BatchEntry[], signal: AbortSignal) => Promise<readonly EntryResult[]>;

/** What to do about a call that failed as a whole. */
export interface CallFailure {
  /** Network errors, throttling and 5xx answers are worth another try; a missing stream is not. */
  readonly retryable: boolean;
  readonly code: string;
  readonly message: string;
}

export interface BatcherSettings {
  readonly lingerMs: number;
  readonly maxConcurrentRequests: number;
  readonly maxRetries: number;
  readonly deliveryTimeoutMs: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
}

export type CallOutcome = 'ok' | 'partial' | 'failed';

export interface BatcherEvents<T> {
  /** The record's own result entry says it was written. */
  delivered(item: T): void;
  /** The record will not be written. */
  failed(item: T, error: KinesisDeliveryError): void;
  /** A record goes back into its queue after a failed entry or call. */
  retrying?(item: T, reason: 'entry' | 'call'): void;
  /** After every PutRecords call: how it went, for how many entries. */
  called?(stream: string, outcome: CallOutcome, entries: number, failure?: CallFailure, pauseMs?: number): void;
}

export interface BatcherOptions<T> {
  readonly put: PutRecords;
  readonly classify: (error: unknown) => CallFailure;
  readonly settings: BatcherSettings;
  readonly events: BatcherEvents<T>;
  readonly now?: () => number;
  readonly random?: () => number;
}

interface Pending<T> {
  readonly item: T;
  readonly stream: string;
  readonly entry: BatchEntry;
  readonly size: number;
  readonly deadline: number;
  entryFailures: number;
  lastProblem: string | undefined;
  settled: boolean;
}

interface StreamQueue<T> {
  readonly entries: Array<Pending<T>>;
  bytes: number;
  /** When a partial batch goes out anyway (the linger), or 0 for at once. */
  readyAt: number;
}

/**
 * Groups records into PutRecords calls per stream (at most 500 records and 5 MiB each), sends a
 * partial batch after a short linger, keeps a bounded number of calls in flight, and retries:
 * only the entries a response marks failed (up to `maxRetries` times each, with backoff), and
 * whole calls that failed for a passing reason (until the record's delivery deadline; every
 * stream pauses meanwhile, so an outage costs one probing call per backoff step).
 *
 * Records of one partition key may be reordered by retries.
 */
export class Batcher<T> {
  readonly #put: PutRecords;
  readonly #classify: (error: unknown) => CallFailure;
  readonly #settings: BatcherSettings;
  readonly #events: BatcherEvents<T>;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #queues = new Map<string, StreamQueue<T>>();
  /** Records out of the queues: in a call, or waiting to be retried. */
  readonly #outside = new Set<Pending<T>>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  readonly #calls = new Set<AbortController>();
  #pendingRecords = 0;
  #pendingBytes = 0;
  #running = false;
  #stopped = false;
  #urgent = false;
  #pausedUntil = 0;
  #consecutiveCallFailures = 0;
  #wakeTimer: NodeJS.Timeout | undefined;
  #wakeAt = 0;

  constructor(options: BatcherOptions<T>) {
    this.#put = options.put;
    this.#classify = options.classify;
    this.#settings = options.settings;
    this.#events = options.events;
    this.#now = options.now ?? (() => Date.now());
    this.#random = options.random ?? (() => Math.random());
  }

  /** Records accepted and not yet delivered or failed. */
  get pendingRecords(): number {
    return this.#pendingRecords;
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  get callsInFlight(): number {
    return this.#calls.size;
  }

  /** Begins sending; records added before wait in their queues. */
  run(): void {
    if (this.#stopped) return;
    this.#running = true;
    this.#pump();
  }

  add(item: T, stream: string, entry: BatchEntry): void {
    const size = entrySize(entry.data, entry.partitionKey);
    const pending: Pending<T> = {
      item,
      stream,
      entry,
      size,
      deadline: this.#now() + this.#settings.deliveryTimeoutMs,
      entryFailures: 0,
      lastProblem: undefined,
      settled: false,
    };
    this.#pendingRecords += 1;
    this.#pendingBytes += size;
    const queue = this.#enqueue(pending, 'back');
    // A full batch goes at once; otherwise wait (at least a turn) so a burst shares one call.
    if (this.#isFull(queue)) this.#pump();
    else if (this.#running) this.#sleepUntilDue(this.#now());
  }

  /** Sends what is queued without waiting for the linger, until nothing is pending. */
  hurry(): void {
    if (this.#pendingRecords === 0) return;
    this.#urgent = true;
    this.#pump();
  }

  /** Stops sending, aborts calls in flight and fails every pending record with `error`. */
  stop(error: () => KinesisDeliveryError): void {
    this.#stopped = true;
    this.#running = false;
    clearTimeout(this.#wakeTimer);
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    for (const controller of this.#calls) controller.abort();
    const left = [...this.#outside, ...[...this.#queues.values()].flatMap((queue) => queue.entries)];
    this.#outside.clear();
    this.#queues.clear();
    for (const pending of left) this.#fail(pending, error());
  }

  #enqueue(pending: Pending<T>, end: 'front' | 'back'): StreamQueue<T> {
    let queue = this.#queues.get(pending.stream);
    if (queue === undefined) {
      queue = { entries: [], bytes: 0, readyAt: 0 };
      this.#queues.set(pending.stream, queue);
    }
    if (queue.entries.length === 0) queue.readyAt = end === 'front' ? 0 : this.#now() + this.#settings.lingerMs;
    if (end === 'front') {
      queue.entries.unshift(pending);
      queue.readyAt = 0; // a retry does not linger a second time
    } else {
      queue.entries.push(pending);
    }
    queue.bytes += pending.size;
    return queue;
  }

  #isFull(queue: StreamQueue<T>): boolean {
    return queue.entries.length >= MAX_RECORDS_PER_CALL || queue.bytes >= MAX_BYTES_PER_CALL;
  }

  /** Starts calls while there is room and a ready batch, then sleeps until the next one is due. */
  #pump(): void {
    if (!this.#running) return;
    const now = this.#now();
    if (now >= this.#pausedUntil) {
      while (this.#calls.size < this.#settings.maxConcurrentRequests) {
        const stream = this.#readyStream(now);
        if (stream === undefined) break;
        const batch = this.#takeBatch(stream, now);
        if (batch.length > 0) void this.#send(stream, batch);
      }
    }
    this.#sleepUntilDue(now);
  }

  #readyStream(now: number): string | undefined {
    for (const [stream, queue] of this.#queues) {
      if (queue.entries.length === 0) continue;
      if (this.#isFull(queue) || this.#urgent || queue.readyAt <= now) {
        // Round robin: the stream served now goes to the back of the line.
        this.#queues.delete(stream);
        this.#queues.set(stream, queue);
        return stream;
      }
    }
    return undefined;
  }

  #takeBatch(stream: string, now: number): Array<Pending<T>> {
    const queue = this.#queues.get(stream);
    if (queue === undefined) return [];
    const batch: Array<Pending<T>> = [];
    const expired: Array<Pending<T>> = [];
    let bytes = 0;
    let taken = 0;
    for (const pending of queue.entries) {
      if (pending.deadline <= now) {
        expired.push(pending);
      } else {
        if (batch.length === MAX_RECORDS_PER_CALL || bytes + pending.size > MAX_BYTES_PER_CALL) break;
        bytes += pending.size;
        batch.push(pending);
        this.#outside.add(pending);
      }
      taken += 1;
      queue.bytes -= pending.size;
    }
    queue.entries.splice(0, taken);
    if (queue.entries.length === 0) this.#queues.delete(stream);
    else queue.readyAt = now + this.#settings.lingerMs;
    // Failed once the queue is consistent again: their callbacks may write more records.
    for (const pending of expired) this.#fail(pending, this.#timeoutError(pending));
    return batch;
  }

  async #send(stream: string, batch: Array<Pending<T>>): Promise<void> {
    const controller = new AbortController();
    this.#calls.add(controller);
    try {
      let results: readonly EntryResult[];
      try {
        results = await this.#put(stream, batch.map((pending) => pending.entry), controller.signal);
      } catch (error) {
        if (!controller.signal.aborted) this.#callFailed(stream, batch, error);
        return;
      }
      if (!controller.signal.aborted) this.#callAnswered(stream, batch, results);
    } finally {
      this.#calls.delete(controller);
      this.#pump();
    }
  }

  #callAnswered(stream: string, batch: Array<Pending<T>>, results: readonly EntryResult[]): void {
    this.#consecutiveCallFailures = 0;
    const again: Array<Pending<T>> = [];
    let refused = 0;
    for (const [index, pending] of batch.entries()) {
      this.#outside.delete(pending);
      if (pending.settled) continue;
      // A response shorter than the request leaves the rest unconfirmed: treat them as failed entries.
      const result = results[index] ?? { errorCode: 'MissingResult', errorMessage: 'the response had no entry for this record' };
      if (result.errorCode === undefined || result.errorCode === null || result.errorCode === '') {
        this.#deliver(pending);
        continue;
      }
      refused += 1;
      if (this.#entryFailed(pending, result)) again.push(pending);
    }
    this.#events.called?.(stream, refused === 0 ? 'ok' : 'partial', batch.length);
    if (again.length > 0) this.#retryLater(again);
  }

  /** Counts the refusal; true when the entry should be sent again, false when it was failed. */
  #entryFailed(pending: Pending<T>, result: EntryResult): boolean {
    pending.entryFailures += 1;
    pending.lastProblem = `${result.errorCode}: ${result.errorMessage ?? ''}`.trim();
    if (pending.entryFailures <= this.#settings.maxRetries) return true;
    const attempts = pending.entryFailures;
    this.#fail(
      pending,
      new KinesisDeliveryError(
        `kinesis refused the record ${attempts} time${attempts === 1 ? '' : 's'} (max_retries ${this.#settings.maxRetries}): ${pending.lastProblem}`,
        result.errorCode ?? undefined,
      ),
    );
    return false;
  }

  /** The refused entries of one response go back together, after one backoff. */
  #retryLater(entries: Array<Pending<T>>): void {
    const attempt = Math.max(...entries.map((pending) => pending.entryFailures));
    const delay = backoffDelay(attempt, this.#settings.retryBaseDelayMs, this.#settings.retryMaxDelayMs, this.#random);
    const due = this.#now() + delay;
    const again: Array<Pending<T>> = [];
    for (const pending of entries) {
      if (due >= pending.deadline) {
        this.#fail(pending, this.#timeoutError(pending));
        continue;
      }
      this.#events.retrying?.(pending.item, 'entry');
      this.#outside.add(pending);
      again.push(pending);
    }
    if (again.length === 0) return;
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      for (const pending of [...again].reverse()) {
        this.#outside.delete(pending);
        if (!pending.settled) this.#enqueue(pending, 'front');
      }
      this.#pump();
    }, delay);
    this.#retryTimers.add(timer);
  }

  #callFailed(stream: string, batch: Array<Pending<T>>, error: unknown): void {
    const failure = this.#classify(error);
    for (const pending of batch) this.#outside.delete(pending);
    if (!failure.retryable) {
      this.#events.called?.(stream, 'failed', batch.length, failure);
      for (const pending of batch) {
        if (!pending.settled) this.#fail(pending, new KinesisDeliveryError(`kinesis PutRecords to ${stream} failed: ${failure.message}`, failure.code, error));
      }
      return;
    }
    this.#consecutiveCallFailures += 1;
    const pauseMs = backoffDelay(this.#consecutiveCallFailures, this.#settings.retryBaseDelayMs, this.#settings.retryMaxDelayMs, this.#random);
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + pauseMs);
    this.#events.called?.(stream, 'failed', batch.length, failure, pauseMs);
    // Back to the front, in their original order: they were first in line.
    for (const pending of [...batch].reverse()) {
      if (pending.settled) continue;
      pending.lastProblem = `${failure.code}: ${failure.message}`;
      this.#events.retrying?.(pending.item, 'call');
      this.#enqueue(pending, 'front');
    }
  }

  #sleepUntilDue(now: number): void {
    let due = Number.POSITIVE_INFINITY;
    if (this.#calls.size < this.#settings.maxConcurrentRequests) {
      for (const queue of this.#queues.values()) {
        if (queue.entries.length > 0) due = Math.min(due, queue.readyAt);
      }
      if (due !== Number.POSITIVE_INFINITY) due = Math.max(due, this.#pausedUntil, now + 1);
    }
    if (due === Number.POSITIVE_INFINITY) {
      clearTimeout(this.#wakeTimer);
      this.#wakeTimer = undefined;
      return;
    }
    if (this.#wakeTimer !== undefined && this.#wakeAt <= due) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = due;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#pump();
    }, due - now);
  }

  #deliver(pending: Pending<T>): void {
    if (!this.#settle(pending)) return;
    this.#events.delivered(pending.item);
  }

  #fail(pending: Pending<T>, error: KinesisDeliveryError): void {
    if (!this.#settle(pending)) return;
    this.#events.failed(pending.item, error);
  }

  #settle(pending: Pending<T>): boolean {
    if (pending.settled) return false;
    pending.settled = true;
    this.#pendingRecords -= 1;
    this.#pendingBytes -= pending.size;
    if (this.#pendingRecords === 0) this.#urgent = false;
    return true;
  }

  #timeoutError(pending: Pending<T>): KinesisDeliveryError {
    const last = pending.lastProblem === undefined ? '' : ` (last problem: ${pending.lastProblem})`;
    return new KinesisDeliveryError(`kinesis: record not written within delivery_timeout_ms ${this.#settings.deliveryTimeoutMs}${last}`, 'DeliveryTimeout');
  }
}
