import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config/index.js';
import { createSinks, sinkCatalog, sinkFactories } from '../src/sinks/registry.js';

const exampleFile = new URL('../config.pubsub.example.json', import.meta.url);

describe('the Pub/Sub example config', () => {
  const loaded = parseServerConfig(readFileSync(exampleFile, 'utf8'), { sinks: sinkCatalog(), source: 'config.pubsub.example.json' });

  it('passes validation without a warning and acks V on Pub/Sub confirmations', () => {
    expect(loaded.warnings).toEqual([]);
    expect(loaded.reliableAckSources).toEqual({ V: ['pubsub'] });
  });

  it('creates one Pub/Sub sink that confirms writes', async () => {
    const sinks = await createSinks(loaded.config, sinkFactories, pino({ level: 'silent' }));
    expect([...sinks.keys()]).toEqual(['pubsub']);
    const pubsub = sinks.get('pubsub');
    expect(pubsub?.confirmsWrites).toBe(true);
    await pubsub?.close();
  });

  it('refuses a section without the project, naming the key', () => {
    const section = JSON.stringify({ pubsub: {}, records: { V: ['pubsub'] }, tls: { server_cert: 'server.pem', server_key: 'server-key.pem' } });
    expect(() => parseServerConfig(section, { sinks: sinkCatalog() })).toThrow(/config error: pubsub.*gcp_project_id/);
  });
});
