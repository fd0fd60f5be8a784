import { NoopSink } from '@fleet-telemetry/sink-api';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { createSinks, sinkCatalog, sinkFactories, type SinkFactories } from '../../src/sinks/registry.js';

describe('the sink registry', () => {
  const logger = pino({ level: 'silent' });

  it('offers the logger, which cannot confirm writes, and the confirming datastores', () => {
    expect(sinkCatalog()).toEqual(
      new Map([
        ['logger', { confirmsWrites: false }],
        ['kafka', { confirmsWrites: true }],
        ['kinesis', { confirmsWrites: true }],
        ['pubsub', { confirmsWrites: true }],
      ]),
    );
  });

  it('creates the logger sink without a section', async () => {
    const sinks = await createSinks({ records: { V: ['logger'] } }, sinkFactories, logger);
    expect(sinks.get('logger')?.confirmsWrites).toBe(false);
  });

  it('creates each sink named in records once, with its section, namespace and record types', async () => {
    const calls: unknown[] = [];
    const factories: SinkFactories = {
      logger: sinkFactories.logger!,
      kafka: {
        confirmsWrites: true,
        create: async (section, context) => {
          calls.push({ section, namespace: context.namespace, recordTypes: context.recordTypes });
          return new NoopSink('kafka');
        },
      },
    };
    const sinks = await createSinks(
      {
        namespace: 'tesla',
        kafka: { 'bootstrap.servers': 'localhost:9092' },
        records: { V: ['kafka', 'logger', 'kafka'], alerts: ['kafka'] },
      },
      factories,
      logger,
    );
    expect([...sinks.keys()].sort()).toEqual(['kafka', 'logger']);
    expect(calls).toEqual([{ section: { 'bootstrap.servers': 'localhost:9092' }, namespace: 'tesla', recordTypes: ['V', 'alerts'] }]);
  });

  it('turns a section the sink rejects into a config error naming the key', async () => {
    const attempt = createSinks({ namespace: 'tesla', kafka: { acks: 'all' }, records: { V: ['kafka'] } }, sinkFactories, logger);
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/^config error: kafka\["bootstrap\.servers"\] /);
  });

  it('names the section when the sink refuses it without naming a key', async () => {
    const attempt = createSinks(
      { namespace: 'tesla', kafka: { 'bootstrap.servers': '127.0.0.1:9092', 'no.such.property': 1 }, records: { V: ['kafka'] } },
      sinkFactories,
      logger,
    );
    await expect(attempt).rejects.toThrow(/^config error: kafka is refused by the kafka sink: .*no\.such\.property/);
  });

  it('reports the reference rule that the Pub/Sub emulator and real credentials exclude each other', async () => {
    const previous = { ...process.env };
    process.env.PUBSUB_EMULATOR_HOST = '127.0.0.1:8085';
    process.env.GOOGLE_APPLICATION_CREDENTIALS = '/etc/gcp.json';
    try {
      const attempt = createSinks({ namespace: 'tesla', pubsub: { gcp_project_id: 'p' }, records: { V: ['pubsub'] } }, sinkFactories, logger);
      await expect(attempt).rejects.toThrow(/^config error: pubsub .*PUBSUB_EMULATOR_HOST/);
    } finally {
      process.env = previous;
    }
  });
});
