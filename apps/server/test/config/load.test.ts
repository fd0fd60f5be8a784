/* eslint-disable @typescript-eslint/no-explicit-any -- the tests edit configs freely, into invalid shapes too */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeProblem, loadServerConfig, parseServerConfig } from '../../src/config/index.js';
import { catalogWithKafka, loggerOnlyCatalog, validConfig } from './helpers.js';

function errorsOf(config: unknown, catalog = catalogWithKafka): string[] {
  try {
    parseServerConfig(JSON.stringify(config, null, 2), { sinks: catalog });
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

function withChange(change: (config: Record<string, any>) => void): Record<string, unknown> {
  const config = validConfig() as Record<string, any>;
  change(config);
  return config;
}

describe('parseServerConfig', () => {
  it('accepts a valid config without warnings', () => {
    const loaded = parseServerConfig(JSON.stringify(validConfig()), { sinks: catalogWithKafka });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.port).toBe(4443);
  });

  it.each([
    ['port as a string', (c: any) => (c.port = '443'), 'config error: port must be integer, got "443"'],
    ['a fractional port', (c: any) => (c.port = 44.5), 'config error: port must be integer, got 44.5'],
    ['port out of range', (c: any) => (c.port = 70000), 'config error: port must be <= 65535'],
    ['rate limit as text', (c: any) => (c.rate_limit.message_limit = 'x'), 'config error: rate_limit.message_limit must be integer, got "x"'],
    ['rate limit of zero', (c: any) => (c.rate_limit.message_limit = 0), 'config error: rate_limit.message_limit must be >= 1'],
    ['an unknown log level', (c: any) => (c.log_level = 'verbose'), 'config error: log_level must be one of "trace"'],
    ['json_log_enable as text', (c: any) => (c.json_log_enable = 'true'), 'config error: json_log_enable must be boolean, got "true"'],
    ['a misspelled sink', (c: any) => (c.records.V = ['logger', 'kafak']), 'config error: records.V[1] must be one of "logger"'],
    ['records as a list', (c: any) => (c.records = ['V']), 'config error: records must be object, got an array'],
    ['a missing server key', (c: any) => delete c.tls.server_key, 'config error: tls.server_key is required'],
    ['a metrics port out of range', (c: any) => (c.monitoring.prometheus_metrics_port = -1), 'config error: monitoring.prometheus_metrics_port must be >= 0'],
    ['an unknown ack policy', (c: any) => (c.ack_policy = 'never'), 'config error: ack_policy must be one of "source", "all-durable"'],
    ['a VIN that is not text', (c: any) => (c.vins_signal_tracking_enabled = [5]), 'config error: vins_signal_tracking_enabled[0] must be string'],
    ['a statsd sample rate over 100', (c: any) => (c.monitoring.statsd = { sample_rate: 101 }), 'config error: monitoring.statsd.sample_rate must be <= 100'],
    ['a statsd section without a host', (c: any) => (c.monitoring.statsd = { prefix: 'ft.' }), 'config error: monitoring.statsd.host is required'],
    ['an unknown statsd tag format', (c: any) => (c.monitoring.statsd = { host: '127.0.0.1:8125', tag_format: 'graphite' }), 'config error: monitoring.statsd.tag_format must be one of "influxdb", "datadog", "none"'],
    ['a profiler port out of range', (c: any) => (c.monitoring.profiler_port = 65536), 'config error: monitoring.profiler_port must be <= 65535'],
    ['an airbrake section without a project id', (c: any) => (c.airbrake = { project_key: 'k' }), 'config error: airbrake.project_id is required'],
    ['an airbrake project id as text', (c: any) => (c.airbrake = { project_id: '12', project_key: 'k' }), 'config error: airbrake.project_id must be integer, got "12"'],
    ['an airbrake host that is not a URL', (c: any) => (c.airbrake = { host: 'errbit:8080', project_id: 1, project_key: 'k' }), 'config error: airbrake.host must match pattern "^https?://"'],
    ['an empty record type', (c: any) => (c.records[''] = ['logger']), 'config error: records must not have an empty key'],
  ])('names the key for %s', (_name, change, expected) => {
    const errors = errorsOf(withChange(change));
    expect(errors.some((line) => line.startsWith(expected)), errors.join('\n')).toBe(true);
  });

  it.each([
    ['no tls section', (c: any) => delete c.tls, 'config error: tls is required'],
    ['more than 20 tracked VINs', (c: any) => (c.vins_signal_tracking_enabled = Array.from({ length: 21 }, (_, i) => `VIN${i}`)), 'config error: vins_signal_tracking_enabled lists 21 unique VINs; at most 20'],
    ['an enabled rate limit without a limit', (c: any) => delete c.rate_limit.message_limit, 'config error: rate_limit.message_limit is required when rate_limit.enabled is true'],
    ['an enabled rate limit without a window', (c: any) => delete c.rate_limit.message_interval_time, 'config error: rate_limit.message_interval_time is required when rate_limit.enabled is true'],
    ['a sink without its section', (c: any) => (c.records.V = ['kafka']), 'config error: records.V sink "kafka" is not configured'],
    ['logger as reliable-ack source', (c: any) => (c.reliable_ack_sources = { V: 'logger' }), 'config error: reliable_ack_sources.V sink "logger" cannot confirm writes'],
    ['connectivity with a reliable ack', (c: any) => { c.kafka = {}; c.records.connectivity = ['kafka']; c.reliable_ack_sources = { connectivity: 'kafka' }; }, 'config error: reliable_ack_sources.connectivity'],
    ['a reliable-ack source not routed', (c: any) => { c.kafka = {}; c.reliable_ack_sources = { V: 'kafka' }; }, 'config error: reliable_ack_sources.V sink "kafka" is not in records.V'],
    ['a reliable-ack type without records', (c: any) => { c.kafka = {}; c.reliable_ack_sources = { alerts: 'kafka' }; }, 'config error: reliable_ack_sources.alerts'],
    ['the status port on the listener port', (c: any) => (c.status_port = 4443), 'config error: status_port uses port 4443, already used by port'],
    ['the metrics port on the status port', (c: any) => (c.monitoring.prometheus_metrics_port = 8080), 'config error: monitoring.prometheus_metrics_port uses port 8080, already used by status_port'],
    ['the profiler port on the metrics port', (c: any) => (c.monitoring.profiler_port = 9464), 'config error: monitoring.profiler_port uses port 9464, already used by monitoring.prometheus_metrics_port'],
    ['a statsd host without a port', (c: any) => (c.monitoring.statsd = { host: 'statsd.local' }), 'config error: monitoring.statsd.host must be host:port (e.g. 127.0.0.1:8125), got "statsd.local"'],
  ])('rejects %s, naming the key', (_name, change, expected) => {
    const errors = errorsOf(withChange(change));
    expect(errors.some((line) => line.startsWith(expected)), errors.join('\n')).toBe(true);
  });

  it('reports a sink this build cannot create under records.<type>', () => {
    const errors = errorsOf(withChange((c) => { c.kafka = { 'bootstrap.servers': 'localhost:9092' }; c.records.V = ['kafka']; }), loggerOnlyCatalog);
    expect(errors).toEqual([
      expect.stringMatching(/^config error: records\.V\[0\] names sink "kafka", which is not available in this build \(available: logger\)/),
    ]);
  });

  it('reports every problem at once', () => {
    const errors = errorsOf(withChange((c) => { c.port = 'x'; c.status_port = 'y'; c.records.V = 'logger'; }));
    expect(errors).toHaveLength(3);
  });

  it('gives the line and column of a bad value when the source is known', () => {
    const text = '{\n  "port": "443",\n  "tls": {"server_cert": "a", "server_key": "b"}\n}\n';
    expect(() => parseServerConfig(text, { sinks: catalogWithKafka, source: 'config.json' })).toThrow(
      'config error: port must be integer, got "443" (config.json:2:11)',
    );
  });

  it('reports a JSON syntax error with its line and column', () => {
    const text = '{\n  "port": 443,\n  "host": "a",\n}\n';
    expect(() => parseServerConfig(text, { sinks: catalogWithKafka, source: 'config.json' })).toThrow(
      /^config error: the config is not valid JSON: .* \(config\.json:4:1\)$/,
    );
  });

  it('rejects comments: the file is JSON, not JSONC', () => {
    expect(() => parseServerConfig('{ // port\n "port": 1 }', { sinks: catalogWithKafka, source: 'c.json' })).toThrow(
      /comments are not allowed in JSON \(c\.json:1:3\)/,
    );
  });

  it('rejects an empty file and a document that is not an object', () => {
    expect(() => parseServerConfig('', { sinks: catalogWithKafka })).toThrow(/not valid JSON/);
    expect(() => parseServerConfig('[]', { sinks: catalogWithKafka })).toThrow('config error: the config must be object, got an array');
  });

  it('warns about unknown keys with their location instead of failing', () => {
    const config = withChange((c) => { c.colour = 'red'; c.monitoring.promethus_port = 1; });
    const loaded = parseServerConfig(JSON.stringify(config, null, 2), { sinks: catalogWithKafka, source: 'c.json' });
    expect(loaded.warnings.map((warning) => describeProblem(warning, 'c.json'))).toEqual([
      expect.stringMatching(/^colour is not a known key \(ignored\) \(c\.json:\d+:3\)$/),
      expect.stringMatching(/^monitoring\.promethus_port is not a known key \(ignored\) \(c\.json:\d+:5\)$/),
    ]);
  });

  it('accepts the legacy and reference-only keys, warning only about the legacy ones it ignores', () => {
    const config = withChange((c) => {
      c.reliable_ack = false;
      c.reliable_ack_workers = 4;
      c.monitoring.profiler_port = 4269;
      c.monitoring.profiling_path = '/tmp/trace.out';
      c.monitoring.statsd = { host: '127.0.0.1:8125', prefix: 'ft', sample_rate: 100, flush_period: 100 };
      c.airbrake = { host: 'http://errbit', project_id: 1, project_key: 'k', environment: 'prod' };
      c.use_default_eng_ca = true;
      c.logger = { verbose: true };
      c.transmit_decoded_records = true;
    });
    const loaded = parseServerConfig(JSON.stringify(config), { sinks: catalogWithKafka, env: {} });
    const warnings = loaded.warnings.map((warning) => describeProblem(warning));
    expect(warnings).toEqual(
      expect.arrayContaining([expect.stringMatching(/^reliable_ack is deprecated/), 'reliable_ack_workers is a legacy setting and is ignored']),
    );
    // The monitoring keys and airbrake work now: nothing to warn about.
    expect(warnings.filter((warning) => /^(monitoring|airbrake)/.test(warning))).toEqual([]);
  });

  it('takes the Airbrake project key from AIRBRAKE_PROJECT_KEY when the config has none', () => {
    const config = withChange((c) => (c.airbrake = { project_id: 12 }));
    expect(() => parseServerConfig(JSON.stringify(config), { sinks: catalogWithKafka, env: { AIRBRAKE_PROJECT_KEY: 'from-env' } })).not.toThrow();
    expect(() => parseServerConfig(JSON.stringify(config), { sinks: catalogWithKafka, env: {} })).toThrow(
      'config error: airbrake.project_key is required (or set the environment variable AIRBRAKE_PROJECT_KEY)',
    );
  });

  it('resolves profiling_path and the airbrake TLS files against the config directory', () => {
    const config = withChange((c) => {
      c.monitoring.profiling_path = 'profiles/run.cpuprofile';
      c.airbrake = { project_id: 1, project_key: 'k', tls: { ca_file: 'errbit-ca.pem', server_cert: '/abs/client.pem' } };
    });
    const loaded = parseServerConfig(JSON.stringify(config), { sinks: catalogWithKafka, baseDirectory: '/etc/ft' });
    expect(loaded.config.monitoring?.profiling_path).toBe('/etc/ft/profiles/run.cpuprofile');
    expect(loaded.config.airbrake?.tls).toEqual({ ca_file: '/etc/ft/errbit-ca.pem', server_cert: '/abs/client.pem' });
  });

  it('reads the legacy reliable_ack: true as kafka acks for the types routed to kafka', () => {
    const config = withChange((c) => { c.kafka = {}; c.records.V = ['kafka', 'logger']; c.reliable_ack = true; });
    const loaded = parseServerConfig(JSON.stringify(config), { sinks: catalogWithKafka });
    expect(loaded.reliableAckSources).toEqual({ V: ['kafka'] });
  });

  it('resolves relative TLS paths against the config directory', () => {
    const config = withChange((c) => (c.tls = { server_cert: 'certs/s.pem', server_key: '/abs/k.pem', ca_file: 'ca.pem' }));
    const loaded = parseServerConfig(JSON.stringify(config), { sinks: catalogWithKafka, baseDirectory: '/etc/ft' });
    expect(loaded.config.tls).toEqual({ server_cert: '/etc/ft/certs/s.pem', server_key: '/abs/k.pem', ca_file: '/etc/ft/ca.pem' });
  });
});

describe('loadServerConfig', () => {
  it('names the file when it cannot be read', () => {
    expect(() => loadServerConfig('/nonexistent/config.json', catalogWithKafka)).toThrow(
      /^config error: the config file \/nonexistent\/config\.json cannot be read: ENOENT/,
    );
  });

  it('reads a file, tolerating a byte order mark', () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-config-'));
    const path = join(directory, 'config.json');
    writeFileSync(path, `\uFEFF${JSON.stringify(validConfig())}`);
    const loaded = loadServerConfig(path, catalogWithKafka);
    expect(loaded.config.tls?.server_cert).toBe(join(directory, 'server.pem'));
  });
});
