import { describe, expect, it } from 'vitest';
import { PubSubConfigError, PubSubSink, pubSubSettings, pubSubTarget, topicName } from '../src/index.js';
import { verdict } from '../src/status.js';

describe('pubSubSettings', () => {
  it('requires gcp_project_id', () => {
    expect(() => pubSubSettings({})).toThrow(PubSubConfigError);
    expect(() => pubSubSettings({ gcp_project_id: '' })).toThrow('pubsub: gcp_project_id is required');
  });

  it('applies the defaults and reads the tuning keys', () => {
    expect(pubSubSettings({ gcp_project_id: 'p' }).settings).toMatchObject({ projectId: 'p', batchMaxMessages: 1_000, batchMaxMs: 10, deliveryTimeoutMs: 60_000 });
    expect(pubSubSettings({ gcp_project_id: 'p', batch_max_ms: 25, max_buffered_records: 50 }).settings).toMatchObject({ batchMaxMs: 25, maxBufferedRecords: 50 });
  });

  it('returns unknown keys for a warning, and rejects values of the wrong type', () => {
    expect(pubSubSettings({ gcp_project_id: 'p', ordering: true }).unknownKeys).toEqual(['ordering']);
    expect(() => pubSubSettings({ gcp_project_id: 'p', batch_max_messages: 0 })).toThrow(/batch_max_messages must be a number ≥ 1/);
    expect(() => pubSubSettings({ gcp_project_id: 'p', delivery_timeout_ms: '5s' })).toThrow(/delivery_timeout_ms must be a number/);
  });
});

describe('pubSubTarget', () => {
  it('uses the emulator when PUBSUB_EMULATOR_HOST is set, Google Cloud otherwise', () => {
    expect(pubSubTarget({ PUBSUB_EMULATOR_HOST: '127.0.0.1:8085' })).toEqual({ kind: 'emulator', host: '127.0.0.1:8085' });
    expect(pubSubTarget({ GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json' })).toEqual({ kind: 'google', keyFile: '/keys/sa.json' });
    expect(pubSubTarget({})).toEqual({ kind: 'google', keyFile: undefined });
  });

  it('refuses both at once, and the sink does not start with both', () => {
    const env = { PUBSUB_EMULATOR_HOST: '127.0.0.1:8085', GOOGLE_APPLICATION_CREDENTIALS: '/keys/sa.json' };
    expect(() => pubSubTarget(env)).toThrow(
      'pubsub: both PUBSUB_EMULATOR_HOST (127.0.0.1:8085) and GOOGLE_APPLICATION_CREDENTIALS (/keys/sa.json) are set: the sink cannot use the emulator and Google Cloud at once; unset one of them',
    );
    expect(() => new PubSubSink({ namespace: 'tesla', config: { gcp_project_id: 'p' }, env })).toThrow(PubSubConfigError);
  });
});

describe('topicName', () => {
  it('is <namespace>_<record type>', () => {
    expect(topicName('tesla', 'V')).toBe('tesla_V');
    expect(topicName('tesla', 'connectivity')).toBe('tesla_connectivity');
  });
});

describe('verdict', () => {
  it.each([
    [14, 'unreachable'],
    [4, 'unreachable'],
    [5, 'topic-missing'],
    [8, 'passing'],
    [13, 'passing'],
    [7, 'permanent'],
    [3, 'permanent'],
    [undefined, 'permanent'],
  ])('gRPC status %s → %s', (code, expected) => {
    expect(verdict(Object.assign(new Error('x'), code === undefined ? {} : { code }))).toBe(expected);
  });
});
