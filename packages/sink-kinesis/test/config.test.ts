import { describe, expect, it } from 'vitest';
import { KinesisConfigError, kinesisSettings, streamName } from '../src/index.js';

describe('kinesisSettings', () => {
  it('applies the defaults, max_retries 1 as in the reference server', () => {
    const { settings, unknownKeys } = kinesisSettings({});
    expect(settings).toMatchObject({ maxRetries: 1, overrideHost: undefined, streams: {}, lingerMs: 20, maxConcurrentRequests: 8 });
    expect(unknownKeys).toEqual([]);
  });

  it('reads the reference keys and the tuning keys', () => {
    const { settings } = kinesisSettings({
      max_retries: 3,
      override_host: 'http://127.0.0.1:4567',
      streams: { V: 'vehicle-data' },
      region: 'eu-west-1',
      linger_ms: 5,
      delivery_timeout_ms: 2_000,
    });
    expect(settings).toMatchObject({
      maxRetries: 3,
      overrideHost: 'http://127.0.0.1:4567',
      streams: { V: 'vehicle-data' },
      region: 'eu-west-1',
      lingerMs: 5,
      deliveryTimeoutMs: 2_000,
    });
  });

  it('returns unknown keys for a warning instead of failing', () => {
    expect(kinesisSettings({ max_retries: 1, shard_count: 4 }).unknownKeys).toEqual(['shard_count']);
  });

  it.each([
    [{ max_retries: -1 }, /max_retries must be a number ≥ 0/],
    [{ max_retries: '2' }, /max_retries must be a number/],
    [{ override_host: 42 }, /override_host must be a string/],
    [{ streams: ['V'] }, /streams must map record types to stream names/],
    [{ streams: { V: 1 } }, /streams\.V must be a string/],
    [{ max_concurrent_requests: 0 }, /max_concurrent_requests must be a number ≥ 1/],
    [{ retry_base_delay_ms: 500, retry_max_delay_ms: 100 }, /retry_max_delay_ms must not be below retry_base_delay_ms/],
  ])('rejects %j', (section, message) => {
    expect(() => kinesisSettings(section)).toThrow(KinesisConfigError);
    expect(() => kinesisSettings(section)).toThrow(message);
  });
});

describe('streamName', () => {
  const streams = { V: 'configured-v', alerts: 'configured-alerts' };

  it('prefers KINESIS_STREAM_<TYPE UPPERCASE>, then streams[type], then <namespace>_<type>', () => {
    const env = { KINESIS_STREAM_V: 'env-v' };
    expect(streamName('V', 'tesla', streams, env)).toBe('env-v');
    expect(streamName('alerts', 'tesla', streams, env)).toBe('configured-alerts');
    expect(streamName('connectivity', 'tesla', streams, env)).toBe('tesla_connectivity');
    expect(streamName('connectivity', 'tesla', streams, { KINESIS_STREAM_CONNECTIVITY: 'env-conn' })).toBe('env-conn');
  });

  it('ignores empty overrides', () => {
    expect(streamName('V', 'tesla', { V: '' }, { KINESIS_STREAM_V: '' })).toBe('tesla_V');
  });
});
