import assert from 'node:assert/strict';
import type { TelemetryRecord } from '../record.js';
import type { DeliveryCallback, Sink } from '../sink.js';
import { testRecord } from '../testing/test-record.js';

/** A record as a reader of the datastore sees it. `vin` and `metadata` are compared when given. */
export interface StoredRecord {
  readonly payload: Uint8Array;
  readonly vin?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface SinkUnderTest {
  readonly sink: Sink;
  /**
   * What a reader of the datastore sees right now: read up to the current end, never wait for more.
   * Enables the check that a confirmed record is already readable.
   */
  readonly readBack?: () => Promise<readonly StoredRecord[]>;
  /** Releases what the factory set up (topics, clients, ...); called after the sink was closed. */
  readonly stop?: () => Promise<void>;
}

/** Creates a fresh, not yet started sink for every check. */
export type SinkFactory = () => Promise<SinkUnderTest>;

export interface SinkConformanceOptions {
  /** The record type written (the sink must be set up for it). Default `V`. */
  readonly recordType?: string;
  /** Records written per check. Default 20. */
  readonly records?: number;
  /** How long to wait for callbacks, flushes and closes. Default 10,000 ms. */
  readonly timeoutMs?: number;
  /**
   * Builds the `index`th record of a check, when the sink needs real payloads (e.g. a decodable
   * protobuf). Payloads must differ between records: read-back matches on them.
   */
  readonly record?: (index: number) => TelemetryRecord;
}

export type CheckResult = { readonly status: 'passed' } | { readonly status: 'skipped'; readonly reason: string };

export interface ConformanceCheck {
  readonly name: string;
  /** Resolves with the result, or rejects with an assertion error. */
  run(): Promise<CheckResult>;
}

const PASSED: CheckResult = { status: 'passed' };

/**
 * The Sink contract as a list of independent checks, for any test runner (`describeSinkConformance`
 * registers them with vitest). Each check creates, starts, closes and stops its own sink.
 */
export function sinkConformanceChecks(
  factory: SinkFactory,
  options: SinkConformanceOptions = {},
): readonly ConformanceCheck[] {
  const settings = resolveSettings(options);
  const check = (name: string, body: (subject: SinkUnderTest) => Promise<CheckResult>): ConformanceCheck => ({
    name,
    run: () => withStartedSink(factory, settings, body),
  });

  return [
    check('start() resolves and health() reports a healthy sink', async ({ sink }) => {
      const health = sink.health();
      assert.equal(health.healthy, true, `health() after start: ${JSON.stringify(health)}`);
      if (health.pending !== undefined) assert.equal(health.pending, 0, 'nothing is pending before any write');
      return PASSED;
    }),

    check('write() never throws, for odd records or without a callback', async ({ sink }) => {
      const odd = [
        settings.record(0, { payload: new Uint8Array() }),
        settings.record(1, { payload: new Uint8Array(256 * 1024).fill(7) }),
        settings.record(2, { encoding: 'json', payload: new TextEncoder().encode('{"vin":"é"}') }),
      ];
      const callbacks = new CallbackLog(odd.length);
      for (const [index, record] of odd.entries()) {
        assert.doesNotThrow(() => sink.write(record, callbacks.for(index)), 'write with a callback');
      }
      assert.doesNotThrow(() => sink.write(settings.record(3)), 'write without a callback');
      await callbacks.waitForAll(settings.timeoutMs);
      await afterPendingCallbacks();
      callbacks.assertEachCalledOnce();
      return PASSED;
    }),

    check('calls back exactly once per record, without an error', async ({ sink }) => {
      const records = settings.batch();
      const callbacks = new CallbackLog(records.length);
      for (const [index, record] of records.entries()) {
        sink.write(record, callbacks.for(index));
        if (!sink.confirmsWrites) {
          assert.equal(callbacks.calls(index), 1, 'a sink that cannot confirm calls back inside write()');
        }
      }
      await callbacks.waitForAll(settings.timeoutMs);
      await sink.flush(settings.timeoutMs);
      await afterPendingCallbacks();
      callbacks.assertEachCalledOnce();
      callbacks.assertNoErrors();
      return PASSED;
    }),

    check('a confirmed record can already be read back', async ({ sink, readBack }) => {
      if (readBack === undefined) return { status: 'skipped', reason: 'the factory gives no readBack' };
      if (!sink.confirmsWrites) return { status: 'skipped', reason: 'the sink does not confirm writes' };
      const records = settings.batch();
      const earlyReads: Array<Promise<void>> = [];
      const callbacks = new CallbackLog(records.length, (index, error) => {
        // The first confirmations are checked the moment they arrive: nothing may be confirmed early.
        if (error === undefined && index < 3) {
          const record = records[index] as TelemetryRecord;
          earlyReads.push(readBack().then((stored) => assertStored(stored, record)));
        }
      });
      for (const [index, record] of records.entries()) sink.write(record, callbacks.for(index));
      await callbacks.waitForAll(settings.timeoutMs);
      callbacks.assertNoErrors();
      await Promise.all(earlyReads);
      const stored = await readBack();
      for (const record of records) assertStored(stored, record);
      return PASSED;
    }),

    check('flush() waits for every accepted write', async ({ sink }) => {
      const records = settings.batch();
      const callbacks = new CallbackLog(records.length);
      for (const [index, record] of records.entries()) sink.write(record, callbacks.for(index));
      await sink.flush(settings.timeoutMs);
      assert.equal(callbacks.settled, records.length, 'every callback was called when flush() resolved');
      const pending = sink.health().pending;
      if (pending !== undefined) assert.equal(pending, 0, 'health().pending after flush()');
      return PASSED;
    }),

    check('close() settles every accepted write before it resolves', async ({ sink }) => {
      const records = settings.batch();
      const callbacks = new CallbackLog(records.length);
      for (const [index, record] of records.entries()) sink.write(record, callbacks.for(index));
      await withTimeout(sink.close(), settings.timeoutMs, 'close()');
      assert.equal(callbacks.settled, records.length, 'every callback was called when close() resolved');
      await afterPendingCallbacks();
      callbacks.assertEachCalledOnce();
      return PASSED;
    }),

    check('close() is idempotent', async ({ sink }) => {
      await withTimeout(Promise.all([sink.close(), sink.close()]), settings.timeoutMs, 'concurrent close()');
      await withTimeout(sink.close(), settings.timeoutMs, 'a further close()');
      return PASSED;
    }),

    check('write() after close() fails through the callback', async ({ sink }) => {
      await withTimeout(sink.close(), settings.timeoutMs, 'close()');
      const callbacks = new CallbackLog(1);
      assert.doesNotThrow(() => sink.write(settings.record(0), callbacks.for(0)));
      if (!sink.confirmsWrites) assert.equal(callbacks.calls(0), 1, 'a sink that cannot confirm calls back inside write()');
      await callbacks.waitForAll(settings.timeoutMs);
      await afterPendingCallbacks();
      callbacks.assertEachCalledOnce();
      assert.ok(callbacks.error(0) instanceof Error, 'the callback receives an Error');
      return PASSED;
    }),

    check('isSaturated() and onDrain() follow the contract', async ({ sink }) => {
      assert.equal(sink.isSaturated(), false, 'an idle started sink is not saturated');
      const unsubscribe = sink.onDrain(() => {});
      assert.equal(typeof unsubscribe, 'function', 'onDrain() returns an unsubscribe function');
      assert.doesNotThrow(() => {
        unsubscribe();
        unsubscribe();
      }, 'unsubscribing twice is harmless');
      return PASSED;
    }),
  ];
}

interface Settings {
  readonly timeoutMs: number;
  record(index: number, overrides?: Partial<TelemetryRecord>): TelemetryRecord;
  batch(): TelemetryRecord[];
}

function resolveSettings(options: SinkConformanceOptions): Settings {
  const recordType = options.recordType ?? 'V';
  const count = options.records ?? 20;
  const run = Math.random().toString(36).slice(2, 10);
  let sequence = 0;
  const record = (index: number, overrides: Partial<TelemetryRecord> = {}): TelemetryRecord => {
    const base =
      options.record?.(index) ??
      testRecord({ recordType, payload: new TextEncoder().encode(`conformance ${run} ${sequence++}`) });
    return { ...base, ...overrides };
  };
  return {
    timeoutMs: options.timeoutMs ?? 10_000,
    record,
    batch: () => Array.from({ length: count }, (_, index) => record(index)),
  };
}

async function withStartedSink(
  factory: SinkFactory,
  settings: Settings,
  body: (subject: SinkUnderTest) => Promise<CheckResult>,
): Promise<CheckResult> {
  const subject = await factory();
  try {
    await withTimeout(subject.sink.start(), settings.timeoutMs, 'start()');
    return await body(subject);
  } finally {
    await withTimeout(subject.sink.close(), settings.timeoutMs, 'close() during clean-up').catch(() => {});
    await subject.stop?.();
  }
}

/** Records every call of the callbacks handed to one batch of writes. */
class CallbackLog {
  readonly #calls: number[];
  readonly #errors: Array<Error | undefined>;

  constructor(
    size: number,
    private readonly onCall?: (index: number, error: Error | undefined) => void,
  ) {
    this.#calls = new Array<number>(size).fill(0);
    this.#errors = new Array<Error | undefined>(size).fill(undefined);
  }

  for(index: number): DeliveryCallback {
    return (error) => {
      this.#calls[index] = (this.#calls[index] ?? 0) + 1;
      if (this.#calls[index] === 1) {
        this.#errors[index] = error;
        this.onCall?.(index, error);
      }
    };
  }

  calls(index: number): number {
    return this.#calls[index] ?? 0;
  }

  error(index: number): Error | undefined {
    return this.#errors[index];
  }

  /** How many callbacks were called at least once. */
  get settled(): number {
    return this.#calls.filter((count) => count > 0).length;
  }

  async waitForAll(timeoutMs: number): Promise<void> {
    await waitUntil(() => this.settled === this.#calls.length, timeoutMs, () => {
      return `${this.#calls.length - this.settled} of ${this.#calls.length} callbacks were never called`;
    });
  }

  assertEachCalledOnce(): void {
    const repeated = this.#calls.flatMap((count, index) => (count > 1 ? [`#${index} ×${count}`] : []));
    assert.deepEqual(repeated, [], 'callbacks called more than once');
    assert.equal(this.settled, this.#calls.length, 'callbacks never called');
  }

  assertNoErrors(): void {
    const failed = this.#errors.flatMap((error, index) => (error ? [`#${index}: ${error.message}`] : []));
    assert.deepEqual(failed, [], 'writes that failed');
  }
}

function assertStored(stored: readonly StoredRecord[], record: TelemetryRecord): void {
  const match = stored.find((candidate) => bytesEqual(candidate.payload, record.payload));
  assert.ok(match, `record ${record.txid} was confirmed but cannot be read back`);
  if (match.vin !== undefined) assert.equal(match.vin, record.vin, 'stored VIN');
  if (match.metadata !== undefined) {
    for (const [key, value] of Object.entries(record.metadata)) {
      assert.equal(match.metadata[key], value, `stored metadata "${key}"`);
    }
  }
}

function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}

/** Lets callbacks that a misbehaving sink scheduled for later (a duplicate confirm) arrive. */
async function afterPendingCallbacks(): Promise<void> {
  for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

async function waitUntil(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `${what} did not settle within ${timeoutMs} ms` })), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
