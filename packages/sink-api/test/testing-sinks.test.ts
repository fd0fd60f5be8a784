import { describe, expect, it, vi } from 'vitest';
import { DrainNotifier, SinkClosedError } from '../src/index.js';
import { FailingSink, ManualSink, testRecord } from '../src/testing/index.js';

describe('ManualSink', () => {
  it('settles writes oldest first and tracks what it confirmed', () => {
    const sink = new ManualSink();
    const first = testRecord();
    const second = testRecord();
    const outcomes: Array<Error | undefined> = [];
    const failure = new Error('nope');

    sink.write(first, (error) => outcomes.push(error));
    sink.write(second, (error) => outcomes.push(error));
    sink.confirm();
    sink.fail(failure);

    expect(outcomes).toEqual([undefined, failure]);
    expect(sink.confirmed).toEqual([first]);
    expect(sink.written).toEqual([first, second]);
    expect(sink.pending).toBe(0);
  });

  it('saturates at its high-water mark and notifies drain listeners once below it', () => {
    const sink = new ManualSink({ highWaterMark: 2 });
    const drained = vi.fn();
    sink.onDrain(drained);

    sink.write(testRecord());
    expect(sink.isSaturated()).toBe(false);
    sink.write(testRecord());
    expect(sink.isSaturated()).toBe(true);
    sink.confirm();
    expect(sink.isSaturated()).toBe(false);
    sink.confirm();
    expect(drained).toHaveBeenCalledTimes(1);
  });

  it('flush gives up after its timeout when writes stay pending', async () => {
    const sink = new ManualSink();
    sink.write(testRecord());
    await sink.flush(5);
    expect(sink.pending).toBe(1);
  });

  it('close fails the pending writes with SinkClosedError', async () => {
    const sink = new ManualSink({ name: 'kafka' });
    const outcomes: Array<Error | undefined> = [];
    sink.write(testRecord(), (error) => outcomes.push(error));
    await sink.close();
    expect(outcomes).toEqual([new SinkClosedError('kafka')]);
  });
});

describe('FailingSink', () => {
  it('fails every write through the callback, never synchronously', async () => {
    const sink = new FailingSink({ name: 'kinesis' });
    const outcomes: Array<Error | undefined> = [];
    sink.write(testRecord(), (error) => outcomes.push(error));
    expect(outcomes).toEqual([]);
    await sink.flush(1000);
    expect(outcomes).toEqual([sink.error]);
  });
});

describe('DrainNotifier', () => {
  it('calls every listener even when one throws, and reports the error', () => {
    const notifier = new DrainNotifier();
    const boom = new Error('listener bug');
    const after = vi.fn();
    const errors: unknown[] = [];
    notifier.subscribe(() => {
      throw boom;
    });
    notifier.subscribe(after);

    notifier.notify((error) => errors.push(error));

    expect(after).toHaveBeenCalledTimes(1);
    expect(errors).toEqual([boom]);
  });

  it('keeps a listener subscribed twice until both subscriptions end', () => {
    const notifier = new DrainNotifier();
    const listener = vi.fn();
    const first = notifier.subscribe(listener);
    notifier.subscribe(listener);

    first();
    notifier.notify();

    expect(listener).toHaveBeenCalledTimes(1);
    expect(notifier.size).toBe(1);
  });
});
