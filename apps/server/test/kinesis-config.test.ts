import { readFileSync } from 'node:fs';
import { KinesisSink } from '@fleet-telemetry/sink-kinesis';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config/index.js';
import { createSinks, sinkCatalog, sinkFactories } from '../src/sinks/registry.js';

const exampleFile = new URL('../config.kinesis.example.json', import.meta.url);

describe('the Kinesis example config', () => {
  // The environment would override the example's stream names.
  for (const type of ['V', 'ALERTS', 'ERRORS', 'CONNECTIVITY']) delete process.env[`KINESIS_STREAM_${type}`];

  const loaded = parseServerConfig(readFileSync(exampleFile, 'utf8'), { sinks: sinkCatalog(), source: 'config.kinesis.example.json' });

  it('passes validation without a warning and acks V on Kinesis confirmations', () => {
    expect(loaded.warnings).toEqual([]);
    expect(loaded.reliableAckSources).toEqual({ V: ['kinesis'] });
  });

  it('creates one Kinesis sink that confirms writes, with the configured streams', async () => {
    const sinks = await createSinks(loaded.config, sinkFactories, pino({ level: 'silent' }));
    expect([...sinks.keys()]).toEqual(['kinesis']);
    const kinesis = sinks.get('kinesis');
    expect(kinesis?.confirmsWrites).toBe(true);
    expect(kinesis).toBeInstanceOf(KinesisSink);
    const streams = ['V', 'alerts', 'errors', 'connectivity'].map((type) => (kinesis as KinesisSink).streamFor(type));
    // Named in `streams`, else <namespace>_<record type>.
    expect(streams).toEqual(['fleet-vehicle-data', 'fleet-alerts', 'tesla_errors', 'tesla_connectivity']);
    await kinesis?.close();
  });
});
