import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseServerConfig } from '../src/config/index.js';
import { createSinks, sinkCatalog, sinkFactories } from '../src/sinks/registry.js';

const exampleFile = new URL('../config.kafka.example.json', import.meta.url);
const logger = pino({ level: 'silent' });

describe('the Kafka example config', () => {
  const loaded = parseServerConfig(readFileSync(exampleFile, 'utf8'), { sinks: sinkCatalog(), source: 'config.kafka.example.json' });

  it('passes validation without a warning and acks V on Kafka delivery reports', () => {
    expect(loaded.warnings).toEqual([]);
    expect(loaded.reliableAckSources).toEqual({ V: ['kafka'] });
  });

  it('creates one Kafka sink that confirms writes (librdkafka accepts every property)', async () => {
    const sinks = await createSinks(loaded.config, sinkFactories, logger);
    expect([...sinks.keys()]).toEqual(['kafka']);
    const kafka = sinks.get('kafka');
    expect(kafka?.confirmsWrites).toBe(true);
    await kafka?.close();
  });
});

describe('the kafka section', () => {
  const parse = (kafka: Record<string, unknown>) =>
    parseServerConfig(
      JSON.stringify({
        kafka,
        records: { V: ['kafka'] },
        tls: { server_cert: 'server.pem', server_key: 'server-key.pem' },
      }),
      { sinks: sinkCatalog() },
    );

  it('refuses brokers that are not a string, naming the key', () => {
    expect(() => parse({ 'bootstrap.servers': ['127.0.0.1:9092'] })).toThrow('config error: kafka["bootstrap.servers"] must be string, got an array');
  });

  it('turns a property librdkafka refuses into a config error naming the section', async () => {
    const loaded = parse({ 'bootstrap.servers': '127.0.0.1:9092', 'no.such.property': 1 });
    const failure = createSinks(loaded.config, sinkFactories, logger);
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/kafka/);
  });
});
