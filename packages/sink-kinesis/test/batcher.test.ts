import { afterEach, describe, expect, it, vi } from 'vitest';
import { Batcher, type BatchEntry, type BatcherSettings, type CallFailure, type EntryResult } from '../src/batcher.js';
import { KinesisDeliveryError } from '../src/errors.js';
import { MAX_BYTES_PER_CALL } from '../src/limits.js';

interface Call {
  readonly stream: string;
  readonly entries: readonly BatchEntry[];
  readonly signal: AbortSignal;
}

const SETTINGS: BatcherSettings = {
  lingerMs: 0,
  maxConcurrentRequests: 4,
  maxRetries: 1,
  deliveryTimeoutMs: 60_000,
  retryBaseDelayMs: 0,
  retryMaxDelayMs: 0,
};

const retryable = (error: unknown): CallFailure => ({ retryable: true, code: 'Unreachable', message: String(error) });
const permanent = (error: unknown): CallFailure => ({ retryable: false, code: 'ResourceNotFoundException', message: String(error) });

/** A batcher over a scripted PutRecords: `answer` decides each call's fate. */
function harness(
  answer: (call: Call, index: number) => Promise<readonly EntryResult[]> | readonly EntryResult[] = (call) => call.entries.map(() => ({})),
  settings: Partial<BatcherSettings> = {},
  classify: (error: unknown) => CallFailure = retryable,
) {
  const calls: Call[] = [];
  const delivered: string[] = [];
  const failed = new Map<string, KinesisDeliveryError>();
  const retried: Array<[string, 'entry' | 'call']> = [];
  const batcher = new Batcher<string>({
    put: async (stream, entries, signal) => {
      const call = { stream, entries: [...entries], signal };
      calls.push(call);
      return answer(call, calls.length - 1);
    },
    classify,
    settings: { ...SETTINGS, ...settings },
    random: () => 1,
    events: {
      delivered: (id) => delivered.push(id),
      failed: (id, error) => failed.set(id, error),
      retrying: (id, reason) => retried.push([id, reason]),
    },
  });
  const add = (id: string, stream = 'tesla_V', size = 8) => {
    const data = new Uint8Array(size);
    data.set(new TextEncoder().encode(id).subarray(0, size));
    batcher.add(id, stream, { data, partitionKey: 'VIN' });
  };
  const idOf = (entry: BatchEntry) => new TextDecoder().decode(entry.data).replace(/\0+$/, '');
  const settled = () => delivered.length + failed.size;
  return { batcher, calls, delivered, failed, retried, add, idOf, settled };
}

async function untilTrue(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1_000 && !condition(); turn += 1) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Batcher limits', () => {
  it('sends at most 500 records per call', async () => {
    const h = harness();
    for (let i = 0; i < 1_200; i += 1) h.add(`r${i}`);
    h.batcher.run();
    await untilTrue(() => h.settled() === 1_200);
    expect(h.calls.map((call) => call.entries.length)).toEqual([500, 500, 200]);
    expect(h.failed.size).toBe(0);
  });

  it('keeps each call within 5 MiB, partition keys included', async () => {
    const h = harness();
    const size = 900 * 1024;
    for (let i = 0; i < 12; i += 1) h.add(`r${i}`, 'tesla_V', size);
    h.batcher.run();
    await untilTrue(() => h.settled() === 12);
    expect(h.calls.map((call) => call.entries.length)).toEqual([5, 5, 2]);
    for (const call of h.calls) {
      const bytes = call.entries.reduce((sum, entry) => sum + entry.data.byteLength + entry.partitionKey.length, 0);
      expect(bytes).toBeLessThanOrEqual(MAX_BYTES_PER_CALL);
    }
  });

  it('never mixes streams in one call', async () => {
    const h = harness();
    for (let i = 0; i < 10; i += 1) h.add(`r${i}`, i % 2 === 0 ? 'tesla_V' : 'tesla_connectivity');
    h.batcher.run();
    await untilTrue(() => h.settled() === 10);
    expect(h.calls).toHaveLength(2);
    expect(h.calls.map((call) => [call.stream, call.entries.map(h.idOf)])).toEqual(
      expect.arrayContaining([
        ['tesla_V', ['r0', 'r2', 'r4', 'r6', 'r8']],
        ['tesla_connectivity', ['r1', 'r3', 'r5', 'r7', 'r9']],
      ]),
    );
  });

  it('waits for the linger before sending a partial batch, and sends a full one at once', async () => {
    vi.useFakeTimers();
    const h = harness(undefined, { lingerMs: 50 });
    h.batcher.run();
    for (let i = 0; i < 3; i += 1) h.add(`partial${i}`);
    await vi.advanceTimersByTimeAsync(49);
    expect(h.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls.map((call) => call.entries.length)).toEqual([3]);

    for (let i = 0; i < 500; i += 1) h.add(`full${i}`);
    expect(h.calls.map((call) => call.entries.length)).toEqual([3, 500]);
  });

  it('hurry() sends a partial batch without waiting for the linger', async () => {
    vi.useFakeTimers();
    const h = harness(undefined, { lingerMs: 10_000 });
    h.batcher.run();
    h.add('r0');
    h.batcher.hurry();
    expect(h.calls).toHaveLength(1);
  });

  it('keeps no more calls in flight than allowed', async () => {
    const releases: Array<() => void> = [];
    const h = harness(
      (call) =>
        new Promise((resolve) => {
          releases.push(() => resolve(call.entries.map(() => ({}))));
        }),
      { maxConcurrentRequests: 2 },
    );
    h.batcher.run();
    for (let i = 0; i < 2_500; i += 1) h.add(`r${i}`);
    expect(h.calls).toHaveLength(2);
    expect(h.batcher.callsInFlight).toBe(2);
    releases.shift()?.();
    await untilTrue(() => h.calls.length === 3);
    expect(h.batcher.callsInFlight).toBe(2);
    while (h.settled() < 2_500) {
      releases.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(h.calls).toHaveLength(5);
  });

  it('holds records until run()', async () => {
    const h = harness();
    h.add('early');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(h.calls).toHaveLength(0);
    h.batcher.run();
    await untilTrue(() => h.delivered.length === 1);
  });
});

describe('Batcher retries', () => {
  it('sends again exactly the entries the response marked failed, and confirms each only from its own entry', async () => {
    const marked = new Set(['r1', 'r3']);
    const h = harness((call, index) =>
      call.entries.map((entry) =>
        index === 0 && marked.has(h.idOf(entry)) ? { errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'slow down' } : {},
      ),
    );
    h.batcher.run();
    for (let i = 0; i < 5; i += 1) h.add(`r${i}`);
    await untilTrue(() => h.settled() === 5);
    expect(h.calls.map((call) => call.entries.map(h.idOf))).toEqual([
      ['r0', 'r1', 'r2', 'r3', 'r4'],
      ['r1', 'r3'],
    ]);
    expect(h.delivered.slice(0, 3)).toEqual(['r0', 'r2', 'r4']);
    expect(h.delivered.slice(3).sort()).toEqual(['r1', 'r3']);
    expect(h.retried).toEqual([
      ['r1', 'entry'],
      ['r3', 'entry'],
    ]);
    expect(h.failed.size).toBe(0);
  });

  it('fails an entry after max_retries further refusals, with the service error code', async () => {
    const h = harness(
      (call) => call.entries.map((entry) => (h.idOf(entry) === 'bad' ? { errorCode: 'InternalFailure', errorMessage: 'boom' } : {})),
      { maxRetries: 2 },
    );
    h.batcher.run();
    h.add('good');
    h.add('bad');
    await untilTrue(() => h.settled() === 2);
    expect(h.calls.map((call) => call.entries.map(h.idOf))).toEqual([['good', 'bad'], ['bad'], ['bad']]);
    expect(h.delivered).toEqual(['good']);
    const error = h.failed.get('bad');
    expect(error).toBeInstanceOf(KinesisDeliveryError);
    expect(error?.code).toBe('InternalFailure');
    expect(error?.message).toMatch(/3 times \(max_retries 2\): InternalFailure: boom/);
  });

  it('treats a missing result entry as a failed entry', async () => {
    const h = harness((call, index) => (index === 0 ? call.entries.slice(0, 1).map(() => ({})) : call.entries.map(() => ({}))));
    h.batcher.run();
    h.add('a');
    h.add('b');
    await untilTrue(() => h.settled() === 2);
    expect(h.calls.map((call) => call.entries.map(h.idOf))).toEqual([['a', 'b'], ['b']]);
  });

  it('retries a whole call that failed for a passing reason, then confirms every record', async () => {
    const h = harness((call, index) => {
      if (index < 2) throw new Error('connect ECONNREFUSED');
      return call.entries.map(() => ({}));
    });
    h.batcher.run();
    for (let i = 0; i < 3; i += 1) h.add(`r${i}`);
    await untilTrue(() => h.settled() === 3);
    expect(h.calls.map((call) => call.entries.map(h.idOf))).toEqual([
      ['r0', 'r1', 'r2'],
      ['r0', 'r1', 'r2'],
      ['r0', 'r1', 'r2'],
    ]);
    expect(h.delivered).toEqual(['r0', 'r1', 'r2']);
    expect(h.retried.filter(([, reason]) => reason === 'call')).toHaveLength(6);
  });

  it('pauses every stream with growing backoff while calls fail', async () => {
    vi.useFakeTimers();
    const h = harness(
      () => {
        throw new Error('down');
      },
      { retryBaseDelayMs: 100, retryMaxDelayMs: 1_000 },
    );
    h.batcher.run();
    h.add('a', 'tesla_V');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls).toHaveLength(1);
    h.add('b', 'tesla_alerts'); // another stream waits out the pause too
    await vi.advanceTimersByTimeAsync(99);
    expect(h.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls).toHaveLength(3);
    // The next pause doubles (both calls failed: 2 and 3 consecutive failures → 400 ms).
    await vi.advanceTimersByTimeAsync(399);
    expect(h.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls.length).toBeGreaterThan(3);
  });

  it('fails the whole call at once when retrying cannot help', async () => {
    const h = harness(
      () => {
        throw new Error('Stream tesla_V under account 000000000000 not found.');
      },
      {},
      permanent,
    );
    h.batcher.run();
    h.add('a');
    h.add('b');
    await untilTrue(() => h.settled() === 2);
    expect(h.calls).toHaveLength(1);
    expect(h.failed.get('a')?.code).toBe('ResourceNotFoundException');
    expect(h.failed.get('a')?.message).toMatch(/PutRecords to tesla_V failed: .*not found/);
  });

  it('fails records still unwritten at their delivery deadline, naming the last problem', async () => {
    vi.useFakeTimers();
    const h = harness(
      () => {
        throw new Error('connect ECONNREFUSED');
      },
      { deliveryTimeoutMs: 1_000, retryBaseDelayMs: 100, retryMaxDelayMs: 200 },
    );
    h.batcher.run();
    h.add('a');
    await vi.advanceTimersByTimeAsync(999);
    expect(h.failed.size).toBe(0);
    await vi.advanceTimersByTimeAsync(300);
    expect(h.failed.get('a')?.code).toBe('DeliveryTimeout');
    expect(h.failed.get('a')?.message).toMatch(/delivery_timeout_ms 1000 \(last problem: Unreachable: Error: connect ECONNREFUSED\)/);
    expect(h.batcher.pendingRecords).toBe(0);
  });
});

describe('Batcher.stop', () => {
  it('fails every pending record once, queued or in flight, and ignores late answers', async () => {
    let release: () => void = () => {};
    const h = harness((call) => new Promise((resolve) => (release = () => resolve(call.entries.map(() => ({}))))), { maxConcurrentRequests: 1 });
    h.batcher.run();
    for (let i = 0; i < 600; i += 1) h.add(`r${i}`);
    expect(h.calls).toHaveLength(1);
    h.batcher.stop(() => new KinesisDeliveryError('closed', 'SinkClosed'));
    expect(h.calls[0]?.signal.aborted).toBe(true);
    expect(h.failed.size).toBe(600);
    release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(h.delivered).toEqual([]);
    expect(h.batcher.pendingRecords).toBe(0);
    expect(h.batcher.pendingBytes).toBe(0);
  });
});
