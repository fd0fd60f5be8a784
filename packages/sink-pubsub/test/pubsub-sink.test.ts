import { SinkClosedError } from '@fleet-telemetry/sink-api';
import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { describe, expect, it } from 'vitest';
import { PubSubDeliveryError, PubSubOverflowError, PubSubRecordRejectedError, PubSubSink, type PubSubSinkOptions } from '../src/index.js';
import { fakePubSub, grpcError } from './support/fake-pubsub.js';
import { outcomes, until } from './support/outcomes.js';
import { testMeter } from './support/test-meter.js';

function sink(client: PubSubSinkOptions['client'], options: Partial<PubSubSinkOptions> = {}, config: Record<string, unknown> = {}) {
  return new PubSubSink({
    namespace: 'tesla',
    recordTypes: ['V'],
    client,
    env: {},
    ...options,
    config: { gcp_project_id: 'p', retry_base_delay_ms: 1, retry_max_delay_ms: 5, ...config },
  });
}

describe('PubSubSink with an in-memory client', () => {
  it('creates missing topics at start, and a topic of another record type before its first record', async () => {
    const fake = fakePubSub();
    const pubsub = sink(fake.client);
    await pubsub.start();
    expect([...fake.topics]).toEqual(['tesla_V']);
    const delivery = outcomes(1);
    pubsub.write(testRecord({ recordType: 'alerts' }), delivery.callback(0));
    await delivery.done;
    expect(delivery.results).toEqual(['ok']);
    expect([...fake.topics]).toEqual(['tesla_V', 'tesla_alerts']);
    expect(fake.published.map((message) => message.topic)).toEqual(['tesla_alerts']);
    await pubsub.close();
    expect(fake.closed).toBe(false); // a client handed in belongs to the caller
  });

  it('holds records written before start', async () => {
    const fake = fakePubSub();
    const pubsub = sink(fake.client);
    const delivery = outcomes(1);
    pubsub.write(testRecord(), delivery.callback(0));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.published).toHaveLength(0);
    await pubsub.start();
    await delivery.done;
    expect(delivery.results).toEqual(['ok']);
    await pubsub.close();
  });

  it('fails a record at once when publishing again cannot help, and counts it', async () => {
    const fake = fakePubSub((message) => {
      if (message.data[0] === 1) throw grpcError(7, 'PERMISSION_DENIED: User not authorized to perform this action.');
      return 'id';
    });
    const metrics = testMeter();
    const pubsub = sink(fake.client, { meter: metrics.meter });
    await pubsub.start();
    const delivery = outcomes(2);
    pubsub.write(testRecord({ payload: new Uint8Array([1]) }), delivery.callback(0));
    pubsub.write(testRecord({ payload: new Uint8Array([2]) }), delivery.callback(1));
    await delivery.done;
    expect(delivery.results[0]).toBeInstanceOf(PubSubDeliveryError);
    expect(delivery.results[0]).toMatchObject({ code: 7, message: 'pubsub: publish to tesla_V failed: 7 PERMISSION_DENIED: User not authorized to perform this action.' });
    expect(delivery.results[1]).toBe('ok');
    expect(fake.published).toHaveLength(2);
    expect(await metrics.value('pubsub_err', { record_type: 'V' })).toBe(1);
    expect(await metrics.value('pubsub_not_connected_total')).toBe(0);
    await pubsub.close();
  });

  it('publishes again after a passing problem, and confirms only then', async () => {
    let failures = 2;
    const fake = fakePubSub(() => {
      if (failures-- > 0) throw grpcError(8, 'RESOURCE_EXHAUSTED: quota');
      return 'id';
    });
    const metrics = testMeter();
    const pubsub = sink(fake.client, { meter: metrics.meter });
    await pubsub.start();
    const delivery = outcomes(1);
    pubsub.write(testRecord(), delivery.callback(0));
    await delivery.done;
    expect(delivery.results).toEqual(['ok']);
    expect(fake.published).toHaveLength(3);
    expect(await metrics.value('pubsub_retry_total', { record_type: 'V', reason: 'passing' })).toBe(2);
    await pubsub.close();
  });

  it('fails records still unpublished at delivery_timeout_ms, naming the last problem', async () => {
    const fake = fakePubSub(() => {
      throw grpcError(14, 'UNAVAILABLE: No connection established');
    });
    const metrics = testMeter();
    const pubsub = sink(fake.client, { meter: metrics.meter }, { delivery_timeout_ms: 100, retry_base_delay_ms: 10, retry_max_delay_ms: 20 });
    await pubsub.start();
    const delivery = outcomes(1);
    pubsub.write(testRecord(), delivery.callback(0));
    await until(() => pubsub.health().healthy === false, 1_000, 'the unreachable health');
    expect(pubsub.health().detail).toMatch(/^pubsub unreachable for \d+s: 14 UNAVAILABLE/);
    await delivery.done;
    expect(delivery.results[0]).toBeInstanceOf(PubSubDeliveryError);
    expect((delivery.results[0] as Error).message).toMatch(/not published within delivery_timeout_ms 100 \(last problem: 14 UNAVAILABLE: No connection established\)/);
    expect(await metrics.value('pubsub_not_connected_total')).toBeGreaterThanOrEqual(2);
    await pubsub.close();
  });

  it('refuses a record over the 10 MB message limit without sending it', async () => {
    const fake = fakePubSub();
    const pubsub = sink(fake.client);
    await pubsub.start();
    const delivery = outcomes(1);
    pubsub.write(testRecord({ payload: new Uint8Array(10_000_001) }), delivery.callback(0));
    await delivery.done;
    expect(delivery.results[0]).toBeInstanceOf(PubSubRecordRejectedError);
    expect(fake.published).toHaveLength(0);
    await pubsub.close();
  });

  it('saturates at max_buffered_records, refuses past twice that, and drains at half', async () => {
    const releases: Array<() => void> = [];
    const fake = fakePubSub(() => new Promise((resolve) => releases.push(() => resolve('id'))));
    const pubsub = sink(fake.client, {}, { max_buffered_records: 2 });
    await pubsub.start();
    let drains = 0;
    pubsub.onDrain(() => (drains += 1));
    const delivery = outcomes(5);
    pubsub.write(testRecord(), delivery.callback(0));
    expect(pubsub.isSaturated()).toBe(false);
    pubsub.write(testRecord(), delivery.callback(1));
    expect(pubsub.isSaturated()).toBe(true);
    pubsub.write(testRecord(), delivery.callback(2));
    pubsub.write(testRecord(), delivery.callback(3));
    pubsub.write(testRecord(), delivery.callback(4));
    expect(delivery.results[4]).toBeInstanceOf(PubSubOverflowError);
    await until(() => releases.length === 4, 1_000, 'four publishes');
    releases.splice(0, 3).forEach((release) => release());
    await until(() => drains === 1, 1_000, 'the drain notification');
    expect(pubsub.isSaturated()).toBe(false);
    releases.shift()?.();
    await delivery.done;
    await pubsub.close();
  });

  it('close() fails what Pub/Sub has not confirmed within close_timeout_ms and refuses later writes', async () => {
    const fake = fakePubSub(() => new Promise(() => {}));
    const pubsub = sink(fake.client, {}, { close_timeout_ms: 30 });
    await pubsub.start();
    const delivery = outcomes(2);
    pubsub.write(testRecord(), delivery.callback(0));
    await Promise.all([pubsub.close(), pubsub.close()]);
    expect(delivery.results[0]).toBeInstanceOf(PubSubDeliveryError);
    pubsub.write(testRecord(), delivery.callback(1));
    expect(delivery.results[1]).toBeInstanceOf(SinkClosedError);
    expect(pubsub.health()).toMatchObject({ healthy: false, detail: 'closed', pending: 0 });
  });

  it('keeps going after a delivery callback throws', async () => {
    const fake = fakePubSub();
    const pubsub = sink(fake.client);
    await pubsub.start();
    const delivery = outcomes(1);
    pubsub.write(testRecord(), () => {
      throw new Error('careless caller');
    });
    pubsub.write(testRecord(), delivery.callback(0));
    await delivery.done;
    expect(delivery.results).toEqual(['ok']);
    await pubsub.close();
  });
});
