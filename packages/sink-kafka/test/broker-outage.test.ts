import type { KafkaBroker } from '@fleet-telemetry/test-services';
import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaDeliveryError, KafkaSink, type KafkaSinkOptions } from '../src/index.js';
import { startKafka } from '@fleet-telemetry/test-services';
import { deliveries } from './support/deliveries.js';
import { captureLogs } from './support/log-capture.js';
import { testMeter } from './support/test-meter.js';
import { TopicReader } from './support/topic-reader.js';
import { sleep, until } from './support/wait.js';

let broker: KafkaBroker;
const open: KafkaSink[] = [];

beforeAll(async () => {
  broker = await startKafka();
});

afterAll(async () => {
  await Promise.all(open.map((sink) => sink.close()));
  await broker?.destroy();
});

function sink(options: Partial<KafkaSinkOptions> & { namespace: string }, config: Record<string, unknown> = {}): KafkaSink {
  const created = new KafkaSink({ connectTimeoutMs: 2_000, probeIntervalMs: 500, ...options, config: { 'bootstrap.servers': broker.bootstrapServers, ...config } });
  open.push(created);
  return created;
}

function payloads(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix} ${index}`);
}

function unreachableLines(lines: ReadonlyArray<{ msg: string }>): string[] {
  return lines.map((line) => line.msg).filter((msg) => msg.includes('unreachable'));
}

// The steps share one broker and run in order: up, stopped, started again.
describe('KafkaSink when the broker goes away and comes back', () => {
  const steadyLogs = captureLogs();
  const lateLogs = captureLogs();
  let steady: KafkaSink;
  let late: KafkaSink;
  const beforeOutage = payloads('before', 10);
  const duringOutage = payloads('during', 50);
  const whileDownAtStart = payloads('late', 20);
  const outageCallbacks = deliveries(duringOutage.length);
  const lateCallbacks = deliveries(whileDownAtStart.length);

  it('confirms records while the broker is up', async () => {
    steady = sink({ namespace: 'steady', logger: steadyLogs.logger });
    await steady.start();
    expect(steady.health()).toMatchObject({ healthy: true, pending: 0 });
    const callbacks = deliveries(beforeOutage.length);
    beforeOutage.forEach((text, index) => steady.write(testRecord({ payload: Buffer.from(text) }), callbacks.callback(index)));
    await callbacks.done;
    expect(callbacks.results.every((result) => result === undefined)).toBe(true);
  });

  it('accepts writes but confirms none while the broker is stopped, and reports itself unhealthy', async () => {
    await broker.stop();
    await until(() => !steady.health().healthy, 20_000, 'health turns unhealthy');
    expect(steady.health().detail).toMatch(new RegExp(`broker unreachable at ${broker.bootstrapServers}`));

    duringOutage.forEach((text, index) => steady.write(testRecord({ payload: Buffer.from(text) }), outageCallbacks.callback(index)));
    await sleep(1_500); // room for a wrong early confirmation to show up
    expect(outageCallbacks.settled).toBe(0);
    expect(steady.health()).toMatchObject({ healthy: false, pending: duringOutage.length });
    expect(unreachableLines(steadyLogs.lines)).toEqual([
      `kafka broker unreachable at ${broker.bootstrapServers}; records will be retried until it is`,
    ]);
  });

  it('fails the records librdkafka gives up on (message.timeout.ms) and counts them in kafka_err', async () => {
    const { meter, value } = testMeter();
    const timing = sink({ namespace: 'timing', meter }, { 'message.timeout.ms': 2_000 });
    await timing.start();
    const callbacks = deliveries(5);
    for (let index = 0; index < 5; index += 1) timing.write(testRecord({ payload: Buffer.from(`expires ${index}`) }), callbacks.callback(index));
    await callbacks.done;
    expect(callbacks.results.every((result) => result instanceof KafkaDeliveryError && /timed out/i.test(result.message))).toBe(true);
    expect(await value('kafka_err')).toBe(5);
    expect(await value('kafka_produce_ack_total', { record_type: 'V' })).toBe(0);
    expect(timing.health().pending).toBe(0);
  });

  it('starts while the broker is down: one clear log line, start() resolves, records wait', async () => {
    late = sink({ namespace: 'late', logger: lateLogs.logger });
    await late.start();
    expect(unreachableLines(lateLogs.lines)).toEqual([
      `kafka broker unreachable at ${broker.bootstrapServers}; records will be retried until it is`,
    ]);
    expect(late.health().healthy).toBe(false);
    whileDownAtStart.forEach((text, index) => late.write(testRecord({ payload: Buffer.from(text) }), lateCallbacks.callback(index)));
    expect(late.health().pending).toBe(whileDownAtStart.length);
  });

  it('delivers and confirms every waiting record once the broker is back: nothing lost, nothing twice', async () => {
    await broker.start();
    await Promise.all([outageCallbacks.done, lateCallbacks.done]);
    expect(outageCallbacks.results.every((result) => result === undefined)).toBe(true);
    expect(lateCallbacks.results.every((result) => result === undefined)).toBe(true);
    expect([...outageCallbacks.calls, ...lateCallbacks.calls].every((count) => count === 1)).toBe(true);
    await until(() => steady.health().healthy && late.health().healthy, 20_000, 'health recovers');
    expect(steadyLogs.lines.some((line) => line.msg.startsWith('kafka broker reachable again'))).toBe(true);

    const reader = await TopicReader.connect(broker.bootstrapServers);
    try {
      const steadyStored = (await reader.read('steady_V')).map((record) => record.value.toString());
      const lateStored = (await reader.read('late_V')).map((record) => record.value.toString());
      expect(steadyStored.sort()).toEqual([...beforeOutage, ...duringOutage].sort());
      expect(lateStored.sort()).toEqual([...whileDownAtStart].sort());
    } finally {
      await reader.close();
    }
  });
});
