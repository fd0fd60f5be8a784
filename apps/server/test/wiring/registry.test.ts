import { NoopSink } from '@fleet-telemetry/sink-api';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createSinks, sinkCatalog, sinkFactories, type SinkFactories } from '../../src/sinks/registry.js';

describe('the sink registry', () => {
  const logger = pino({ level: 'silent' });

  it('offers the logger sink, which cannot confirm writes', () => {
    expect(sinkCatalog()).toEqual(new Map([['logger', { confirmsWrites: false }]]));
    const sinks = createSinks({ records: { V: ['logger'] } }, sinkFactories, logger);
    expect(sinks.get('logger')?.confirmsWrites).toBe(false);
  });

  it('creates each sink named in records once, handing it its own section', () => {
    const sections: unknown[] = [];
    const factories: SinkFactories = {
      logger: sinkFactories.logger!,
      kafka: {
        confirmsWrites: true,
        create: (section) => {
          sections.push(section);
          return new NoopSink('kafka');
        },
      },
    };
    const sinks = createSinks(
      { kafka: { 'bootstrap.servers': 'localhost:9092' }, records: { V: ['kafka', 'logger'], alerts: ['kafka'] } },
      factories,
      logger,
    );
    expect([...sinks.keys()].sort()).toEqual(['kafka', 'logger']);
    expect(sections).toEqual([{ 'bootstrap.servers': 'localhost:9092' }]);
    expect(sinkCatalog(factories).get('kafka')).toEqual({ confirmsWrites: true });
  });
});
