import { describe, expect, it } from 'vitest';
import { sinkConformanceChecks, describeSinkConformance } from '../src/conformance/index.js';
import { NoopSink } from '../src/index.js';
import { MemorySink } from '../src/testing/index.js';
import { QuirkySink, type Quirk } from './support/quirky-sink.js';

describeSinkConformance('MemorySink', async () => {
  const sink = new MemorySink();
  return { sink, readBack: () => sink.readBack() };
});

describeSinkConformance('MemorySink that cannot confirm', async () => ({
  sink: new MemorySink({ confirmsWrites: false }),
}));

describeSinkConformance('NoopSink', async () => ({ sink: new NoopSink() }));

describe('the conformance checks', () => {
  async function failedChecks(quirk: Quirk): Promise<string[]> {
    const checks = sinkConformanceChecks(
      async () => {
        const sink = new QuirkySink(quirk);
        return { sink, readBack: () => sink.readBack() };
      },
      { records: 5, timeoutMs: 5_000 },
    );
    const failed: string[] = [];
    for (const check of checks) {
      await check.run().catch(() => failed.push(check.name));
    }
    return failed;
  }

  it('all pass for a sink that keeps the contract', async () => {
    expect(await failedChecks('none')).toEqual([]);
  });

  it.each<[Quirk, string[]]>([
    [
      'confirms-twice',
      [
        'write() never throws, for odd records or without a callback',
        'calls back exactly once per record, without an error',
        'close() settles every accepted write before it resolves',
      ],
    ],
    ['confirms-before-storing', ['a confirmed record can already be read back']],
    ['throws-after-close', ['write() after close() fails through the callback']],
    ['second-close-rejects', ['close() is idempotent']],
    // Its close() relies on flush(), so closing abandons writes too.
    ['flush-returns-early', ['flush() waits for every accepted write', 'close() settles every accepted write before it resolves']],
    ['close-drops-pending', ['close() settles every accepted write before it resolves']],
    ['unhealthy', ['start() resolves and health() reports a healthy sink']],
    ['calls-back-late-without-confirming', ['calls back exactly once per record, without an error']],
  ])('catch a sink that %s', async (quirk, expected) => {
    expect(await failedChecks(quirk)).toEqual(expected);
  });

  it('skip the read-back check when the factory gives no readBack', async () => {
    const checks = sinkConformanceChecks(async () => ({ sink: new MemorySink() }), { records: 2 });
    const readBack = checks.find((check) => check.name === 'a confirmed record can already be read back');
    await expect(readBack?.run()).resolves.toEqual({ status: 'skipped', reason: 'the factory gives no readBack' });
  });
});
