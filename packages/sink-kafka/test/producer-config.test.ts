import { describe, expect, it } from 'vitest';
import { KafkaConfigError, producerConfig } from '../src/index.js';

describe('producerConfig', () => {
  it('passes librdkafka properties through and turns JSON numbers into integers', () => {
    const { global } = producerConfig({
      'bootstrap.servers': 'kafka:9092',
      'queue.buffering.max.messages': 1000.0,
      'batch.num.messages': 250.9,
      'retry.backoff.ms': -1.5,
      'compression.type': 'lz4',
      'socket.keepalive.enable': true,
    });
    expect(global).toMatchObject({
      'bootstrap.servers': 'kafka:9092',
      'queue.buffering.max.messages': 1000,
      'batch.num.messages': 250,
      'retry.backoff.ms': -1,
      'compression.type': 'lz4',
      'socket.keepalive.enable': true,
    });
  });

  it('hands topic-level properties to the topic configuration, where librdkafka applies them', () => {
    const { global, topic } = producerConfig({
      'bootstrap.servers': 'kafka:9092',
      acks: 'all',
      'message.timeout.ms': 30_000.5,
      partitioner: 'murmur2_random',
      'compression.level': 3,
      'compression.codec': 'zstd',
    });
    expect(topic).toEqual({ acks: 'all', 'message.timeout.ms': 30_000, partitioner: 'murmur2_random', 'compression.level': 3 });
    expect(global).not.toHaveProperty('acks');
    expect(global).toMatchObject({ 'compression.codec': 'zstd' });
  });

  it('turns delivery reports on and sets defaults only where the section says nothing', () => {
    expect(producerConfig({ 'bootstrap.servers': 'kafka:9092' })).toEqual({
      global: {
        'bootstrap.servers': 'kafka:9092',
        'linger.ms': 5,
        'enable.idempotence': true,
        'client.id': 'fleet-telemetry',
        dr_cb: true,
      },
      topic: {},
      notes: [],
    });
    const { global } = producerConfig({
      'metadata.broker.list': 'kafka:9092',
      'queue.buffering.max.ms': 50,
      'enable.idempotence': false,
      'client.id': 'telemetry-eu',
      dr_cb: false,
    });
    expect(global).not.toHaveProperty('linger.ms');
    expect(global).toMatchObject({
      'queue.buffering.max.ms': 50,
      'enable.idempotence': false,
      'client.id': 'telemetry-eu',
      dr_cb: true,
    });
  });

  it('leaves idempotence off when the section sets what librdkafka cannot combine with it', () => {
    const broker = { 'bootstrap.servers': 'kafka:9092' };
    for (const compatible of [{ acks: 'all' }, { 'request.required.acks': -1 }, { 'max.in.flight': 5, retries: 3 }]) {
      expect(producerConfig({ ...broker, ...compatible }).global).toMatchObject({ 'enable.idempotence': true });
    }
    const settings = producerConfig({ ...broker, acks: 1, 'max.in.flight.requests.per.connection': 10, 'message.send.max.retries': 0 });
    expect(settings.global).not.toHaveProperty('enable.idempotence');
    expect(settings.notes).toEqual([
      'enable.idempotence left off: the kafka section sets acks=1, max.in.flight.requests.per.connection=10, message.send.max.retries=0',
    ]);
  });

  it('requires a broker list', () => {
    expect(() => producerConfig({ acks: 'all' })).toThrow(KafkaConfigError);
    expect(() => producerConfig({ acks: 'all' })).toThrow(/kafka\.bootstrap\.servers: is required/);
  });

  it('rejects values librdkafka cannot take, naming the key', () => {
    const broker = { 'bootstrap.servers': 'kafka:9092' };
    expect(() => producerConfig({ ...broker, 'sasl.oauthbearer.config': { a: 1 } })).toThrow(
      /kafka\.sasl\.oauthbearer\.config: must be a string, number or boolean, got object/,
    );
    expect(() => producerConfig({ ...broker, acks: null })).toThrow(/kafka\.acks: .* got null/);
    expect(() => producerConfig({ ...broker, 'linger.ms': Number.NaN })).toThrow(/kafka\.linger\.ms: must be a finite number/);
  });
});
