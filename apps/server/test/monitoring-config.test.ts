import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config/index.js';
import { sinkCatalog } from '../src/sinks/registry.js';

const exampleFile = new URL('../config.monitoring.example.json', import.meta.url);
const parse = (env: Record<string, string>) =>
  parseServerConfig(readFileSync(exampleFile, 'utf8'), { sinks: sinkCatalog(), source: 'config.monitoring.example.json', env });

describe('the monitoring example config', () => {
  it('passes validation without a warning when AIRBRAKE_PROJECT_KEY holds the key', () => {
    const loaded = parse({ AIRBRAKE_PROJECT_KEY: 'from-the-secret-store' });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.monitoring).toMatchObject({ statsd: { host: '127.0.0.1:8125', flush_period: 1000 }, profiler_port: 4269 });
  });

  it('names airbrake.project_key when the variable is missing too', () => {
    expect(() => parse({})).toThrow(/config error: airbrake\.project_key is required \(or set the environment variable AIRBRAKE_PROJECT_KEY\) \(config\.monitoring\.example\.json:\d+:\d+\)/);
  });
});
