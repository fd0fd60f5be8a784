import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { NoopSink, RecordRouter, RoutingConfigError, type AckOutcome, type Sink } from '../src/index.js';
import { FailingSink, ManualSink, MemorySink, testRecord } from '../src/testing/index.js';
import { MisbehavingSink } from './support/misbehaving-sinks.js';
import { testMeter } from './support/test-meter.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function ackRecorder() {
  const outcomes: AckOutcome[] = [];
  return { outcomes, onAck: (outcome: AckOutcome) => outcomes.push(outcome) };
}

describe('RecordRouter.dispatch', () => {
  it('reports no-route for a record type without sinks and writes nothing', () => {
    const kafka = new ManualSink({ name: 'kafka' });
    const router = new RecordRouter({ routes: { V: [kafka] } });
    const { outcomes, onAck } = ackRecorder();

    expect(router.hasRoute('V')).toBe(true);
    expect(router.hasRoute('alerts')).toBe(false);
    expect(router.dispatch(testRecord({ recordType: 'alerts' }), onAck)).toBe('no-route');
    expect(kafka.written).toEqual([]);
    expect(outcomes).toEqual([]);
  });

  it('acks at once when the record type has no reliable-ack source, and never calls onAck', async () => {
    const kafka = new ManualSink({ name: 'kafka' });
    const logger = new MemorySink({ name: 'logger', confirmsWrites: false });
    const router = new RecordRouter({ routes: { V: [kafka, logger] } });
    const { outcomes, onAck } = ackRecorder();
    const record = testRecord();

    expect(router.dispatch(record, onAck)).toBe('ack-now');
    expect(kafka.written).toEqual([record]);
    expect(logger.records).toEqual([record]);
    kafka.confirmAll();
    await nextTurn();
    expect(outcomes).toEqual([]);
    expect(router.isReliablyAcked('V')).toBe(false);
  });

  it('holds the ack until the source sink confirms, then reports ok once', async () => {
    const kafka = new ManualSink({ name: 'kafka' });
    const router = new RecordRouter({ routes: { V: [kafka] }, reliableAck: { V: 'kafka' } });
    const { outcomes, onAck } = ackRecorder();

    expect(router.dispatch(testRecord(), onAck)).toBe('ack-pending');
    await nextTurn();
    expect(outcomes).toEqual([]);

    kafka.confirm();
    expect(outcomes).toEqual([{ ok: true }]);
    await kafka.close();
    expect(outcomes).toHaveLength(1);
  });

  it('reports the failing sink and never acks a record the source failed to write', () => {
    const kafka = new ManualSink({ name: 'kafka' });
    const router = new RecordRouter({ routes: { V: [kafka] }, reliableAck: { V: 'kafka' } });
    const { outcomes, onAck } = ackRecorder();
    const brokerDown = new Error('broker down');

    router.dispatch(testRecord(), onAck);
    kafka.fail(brokerDown);

    expect(outcomes).toEqual([{ ok: false, sink: 'kafka', error: brokerDown }]);
  });

  it('under the source policy, ignores how the other sinks of the type fare', async () => {
    const kafka = new ManualSink({ name: 'kafka' });
    const kinesis = new FailingSink({ name: 'kinesis' });
    const router = new RecordRouter({ routes: { V: [kafka, kinesis] }, reliableAck: { V: 'kafka' } });
    const { outcomes, onAck } = ackRecorder();

    router.dispatch(testRecord(), onAck);
    await kinesis.flush(1000);
    expect(outcomes).toEqual([]);
    kafka.confirm();
    expect(outcomes).toEqual([{ ok: true }]);
  });

  it('waits for every listed source when reliable_ack_sources names several', () => {
    const kafka = new ManualSink({ name: 'kafka' });
    const pubsub = new ManualSink({ name: 'pubsub' });
    const router = new RecordRouter({ routes: { V: [kafka, pubsub] }, reliableAck: { V: ['kafka', 'pubsub'] } });
    const { outcomes, onAck } = ackRecorder();

    router.dispatch(testRecord(), onAck);
    pubsub.confirm();
    expect(outcomes).toEqual([]);
    kafka.confirm();
    expect(outcomes).toEqual([{ ok: true }]);
  });

  describe('with the all-durable policy', () => {
    function allDurable() {
      const kafka = new ManualSink({ name: 'kafka' });
      const kinesis = new ManualSink({ name: 'kinesis' });
      const logger = new MemorySink({ name: 'logger', confirmsWrites: false });
      const router = new RecordRouter({
        routes: { V: [kafka, kinesis, logger], alerts: [logger] },
        reliableAck: { V: 'kafka' },
        ackPolicy: 'all-durable',
      });
      return { kafka, kinesis, logger, router };
    }

    it('acks only after every confirming sink of the type confirmed', () => {
      const { kafka, kinesis, router } = allDurable();
      const { outcomes, onAck } = ackRecorder();

      expect(router.dispatch(testRecord(), onAck)).toBe('ack-pending');
      kafka.confirm();
      expect(outcomes).toEqual([]);
      kinesis.confirm();
      expect(outcomes).toEqual([{ ok: true }]);
    });

    it('refuses the ack when a sink other than the configured source fails', () => {
      const { kafka, kinesis, router } = allDurable();
      const { outcomes, onAck } = ackRecorder();
      const throttled = new Error('throttled');

      router.dispatch(testRecord(), onAck);
      kafka.confirm();
      kinesis.fail(throttled);
      expect(outcomes).toEqual([{ ok: false, sink: 'kinesis', error: throttled }]);
    });

    it('still acks record types without a reliable-ack source at once', () => {
      const { router } = allDurable();
      expect(router.dispatch(testRecord({ recordType: 'alerts' }), () => {})).toBe('ack-now');
    });
  });

  it('never calls onAck inside dispatch, even when the sink confirms synchronously', async () => {
    const router = new RecordRouter({ routes: { V: [new NoopSink('kafka')] }, reliableAck: { V: 'kafka' } });
    const { outcomes, onAck } = ackRecorder();

    expect(router.dispatch(testRecord(), onAck)).toBe('ack-pending');
    expect(outcomes).toEqual([]);
    await Promise.resolve();
    expect(outcomes).toEqual([{ ok: true }]);
  });

  describe('with misbehaving sinks', () => {
    it('reports a duplicate confirmation once', async () => {
      const kafka = new MisbehavingSink('kafka', 'confirm-twice');
      const router = new RecordRouter({ routes: { V: [kafka] }, reliableAck: { V: 'kafka' } });
      const { outcomes, onAck } = ackRecorder();

      router.dispatch(testRecord(), onAck);
      await nextTurn();
      expect(outcomes).toEqual([{ ok: true }]);
    });

    it('keeps the first outcome when a sink confirms and then fails the same record', async () => {
      const kafka = new MisbehavingSink('kafka', 'confirm-then-fail');
      const router = new RecordRouter({ routes: { V: [kafka] }, reliableAck: { V: 'kafka' } });
      const { outcomes, onAck } = ackRecorder();

      router.dispatch(testRecord(), onAck);
      await nextTurn();
      expect(outcomes).toEqual([{ ok: true }]);
    });

    it('turns a throwing source into a failed outcome, counts it, and still writes to the other sinks', async () => {
      const { meter, counter } = testMeter();
      const kafka = new MisbehavingSink('kafka', 'throw');
      const logger = new MemorySink({ name: 'logger', confirmsWrites: false });
      const router = new RecordRouter({ routes: { V: [kafka, logger] }, reliableAck: { V: 'kafka' }, meter });
      const { outcomes, onAck } = ackRecorder();
      const record = testRecord();

      expect(router.dispatch(record, onAck)).toBe('ack-pending');
      await nextTurn();
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]).toMatchObject({ ok: false, sink: 'kafka', error: { message: 'kafka exploded' } });
      expect(logger.records).toEqual([record]);
      expect(await counter('sink_write_exception_total', { sink: 'kafka', record_type: 'V' })).toBe(1);
    });

    it('keeps an ack that a sink confirmed before throwing', async () => {
      const kafka = new MisbehavingSink('kafka', 'confirm-then-throw');
      const router = new RecordRouter({ routes: { V: [kafka] }, reliableAck: { V: 'kafka' } });
      const { outcomes, onAck } = ackRecorder();

      router.dispatch(testRecord(), onAck);
      await nextTurn();
      expect(outcomes).toEqual([{ ok: true }]);
    });

    it('acks at once although a sink of an unreliable type throws', () => {
      const router = new RecordRouter({ routes: { alerts: [new MisbehavingSink('kafka', 'throw')] } });
      expect(router.dispatch(testRecord({ recordType: 'alerts' }), () => {})).toBe('ack-now');
    });

    it('shields the sink from an onAck that throws', () => {
      const kafka = new ManualSink({ name: 'kafka' });
      const router = new RecordRouter({ routes: { V: [kafka] }, reliableAck: { V: 'kafka' } });
      const onAck = vi.fn(() => {
        throw new Error('socket gone');
      });

      router.dispatch(testRecord(), onAck);
      expect(() => kafka.confirm()).not.toThrow();
      expect(onAck).toHaveBeenCalledTimes(1);
    });
  });
});

describe('RecordRouter construction', () => {
  it('rejects a sink that cannot confirm as a reliable-ack source, naming the key', () => {
    const logger = new MemorySink({ name: 'logger', confirmsWrites: false });
    const build = () => new RecordRouter({ routes: { V: [logger] }, reliableAck: { V: 'logger' } });

    expect(build).toThrow(RoutingConfigError);
    expect(build).toThrow(/reliable_ack_sources\.V: sink "logger" cannot confirm writes/);
  });

  it('rejects two different sinks under one name', () => {
    const build = () =>
      new RecordRouter({ routes: { V: [new ManualSink({ name: 'kafka' })], alerts: [new ManualSink({ name: 'kafka' })] } });
    expect(build).toThrow(/two different sinks are named "kafka"/);
  });

  it('fromConfig wires sinks by name and applies the legacy reliable_ack flag', () => {
    const kafka = new ManualSink({ name: 'kafka' });
    const logger = new MemorySink({ name: 'logger', confirmsWrites: false });
    const router = RecordRouter.fromConfig({
      records: { V: ['kafka', 'logger'], alerts: ['logger'] },
      reliableAck: true,
      sinks: [kafka, logger],
    });

    expect(router.isReliablyAcked('V')).toBe(true);
    expect(router.isReliablyAcked('alerts')).toBe(false);
    expect(router.sinks).toEqual([kafka, logger]);
  });

  it('fromConfig logs each warning once', () => {
    const warnings: unknown[] = [];
    const logger = pino({ base: undefined, timestamp: false }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    RecordRouter.fromConfig({ records: { V: ['kafka', 'kafka'] }, reliableAck: false, sinks: [new NoopSink('kafka')], logger });

    expect(warnings).toEqual([
      { level: 40, key: 'records.V', msg: 'lists sink "kafka" more than once; it is written once' },
      { level: 40, key: 'reliable_ack', msg: 'is deprecated and ignored; use reliable_ack_sources' },
    ]);
  });

  it('fromConfig reports every problem of the config at once', () => {
    let error: unknown;
    try {
      RecordRouter.fromConfig({
        records: { V: ['kafka'], connectivity: ['kafka'] },
        reliableAckSources: { connectivity: 'kafka', V: 'kafka' },
        sinks: [],
      });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(RoutingConfigError);
    expect((error as RoutingConfigError).problems.map((problem) => problem.key)).toEqual([
      'records.V',
      'records.connectivity',
      'reliable_ack_sources.connectivity',
    ]);
  });
});

describe('RecordRouter lifecycle', () => {
  function spiedSink(name: string): Sink & { calls: Record<'start' | 'flush' | 'close', number> } {
    const sink = new ManualSink({ name });
    const calls = { start: 0, flush: 0, close: 0 };
    return Object.assign(sink, {
      calls,
      start: async () => void (calls.start += 1),
      flush: async () => void (calls.flush += 1),
      close: async () => void (calls.close += 1),
    });
  }

  it('starts, flushes and closes a sink shared by several record types once each', async () => {
    const kafka = spiedSink('kafka');
    const logger = spiedSink('logger');
    const router = new RecordRouter({ routes: { V: [kafka, logger], alerts: [kafka], errors: [kafka, logger] } });

    await router.start();
    await router.flush(1000);
    await Promise.all([router.close(), router.close()]);
    await router.close();

    expect(kafka.calls).toEqual({ start: 1, flush: 1, close: 1 });
    expect(logger.calls).toEqual({ start: 1, flush: 1, close: 1 });
  });

  it('closes every sink even when one fails to close, then rejects naming it', async () => {
    const kafka = Object.assign(new ManualSink({ name: 'kafka' }), {
      close: async () => {
        throw new Error('broker unreachable');
      },
    });
    const pubsub = new ManualSink({ name: 'pubsub' });
    const router = new RecordRouter({ routes: { V: [kafka, pubsub] } });

    await expect(router.close()).rejects.toThrow('close failed for sink(s): kafka');
    expect(pubsub.closed).toBe(true);
  });

  it('rejects start naming the sink that could not start', async () => {
    const kafka = Object.assign(new ManualSink({ name: 'kafka' }), {
      start: async () => {
        throw new Error('no brokers');
      },
    });
    const router = new RecordRouter({ routes: { V: [kafka, new ManualSink({ name: 'pubsub' })] } });
    await expect(router.start()).rejects.toThrow('start failed for sink(s): kafka');
  });

  it('fails the acks still pending when the sinks close', async () => {
    const kafka = new ManualSink({ name: 'kafka' });
    const router = new RecordRouter({ routes: { V: [kafka] }, reliableAck: { V: 'kafka' } });
    const { outcomes, onAck } = ackRecorder();

    router.dispatch(testRecord(), onAck);
    await router.close();
    expect(outcomes).toMatchObject([{ ok: false, sink: 'kafka', error: { name: 'SinkClosedError' } }]);
  });

  it('reports each sink health by name', () => {
    const router = new RecordRouter({ routes: { V: [new NoopSink('kafka'), new FailingSink({ name: 'kinesis' })] } });
    expect(router.health()).toEqual({
      kafka: { healthy: true, pending: 0 },
      kinesis: { healthy: false, detail: 'kinesis: datastore unavailable', pending: 0 },
    });
  });
});

describe('RecordRouter pushback', () => {
  it('is saturated while any sink is, per record type and overall', () => {
    const kafka = new ManualSink({ name: 'kafka', highWaterMark: 1 });
    const pubsub = new ManualSink({ name: 'pubsub', highWaterMark: 1 });
    const router = new RecordRouter({ routes: { V: [kafka], alerts: [pubsub] } });

    router.dispatch(testRecord(), () => {});
    expect(router.isSaturated()).toBe(true);
    expect(router.isSaturated('V')).toBe(true);
    expect(router.isSaturated('alerts')).toBe(false);
    expect(router.isSaturated('errors')).toBe(false);
  });

  it('signals drain only once the last saturated sink has drained', () => {
    const kafka = new ManualSink({ name: 'kafka', highWaterMark: 1 });
    const pubsub = new ManualSink({ name: 'pubsub', highWaterMark: 1 });
    const router = new RecordRouter({ routes: { V: [kafka, pubsub] } });
    const drained = vi.fn();
    router.onDrain(drained);

    router.dispatch(testRecord(), () => {});
    kafka.confirm();
    expect(drained).not.toHaveBeenCalled();
    pubsub.confirm();
    expect(drained).toHaveBeenCalledTimes(1);
    expect(router.isSaturated()).toBe(false);
  });

  it('stops calling a listener once unsubscribed', () => {
    const kafka = new ManualSink({ name: 'kafka', highWaterMark: 1 });
    const router = new RecordRouter({ routes: { V: [kafka] } });
    const drained = vi.fn();
    const unsubscribe = router.onDrain(drained);

    unsubscribe();
    router.dispatch(testRecord(), () => {});
    kafka.confirm();
    expect(drained).not.toHaveBeenCalled();
  });
});

describe('RecordRouter metrics', () => {
  it('counts dispatch_total per record type', async () => {
    const { meter, counter } = testMeter();
    const noop = new NoopSink();
    const router = new RecordRouter({ routes: { V: [noop], alerts: [noop] }, meter });

    router.dispatch(testRecord(), () => {});
    router.dispatch(testRecord(), () => {});
    router.dispatch(testRecord({ recordType: 'alerts' }), () => {});
    router.dispatch(testRecord({ recordType: 'errors' }), () => {});

    expect(await counter('dispatch_total', { record_type: 'V' })).toBe(2);
    expect(await counter('dispatch_total', { record_type: 'alerts' })).toBe(1);
    expect(await counter('dispatch_total', { record_type: 'errors' })).toBe(0);
  });

  it('counts reliable_ack and reliable_ack_miss as the caller reports them', async () => {
    const { meter, counter } = testMeter();
    const kafka = new NoopSink('kafka');
    const router = new RecordRouter({
      routes: { V: [kafka], alerts: [kafka] },
      reliableAck: { V: 'kafka' },
      meter,
    });

    router.reportAck('V', 'sent');
    router.reportAck('V', 'sent');
    router.reportAck('V', 'missed');
    router.reportAck('alerts', 'sent');

    expect(await counter('reliable_ack', { record_type: 'V', dispatcher: 'kafka' })).toBe(2);
    expect(await counter('reliable_ack_miss', { record_type: 'V', dispatcher: 'kafka' })).toBe(1);
    expect(await counter('reliable_ack', { record_type: 'alerts', dispatcher: '' })).toBe(0);
  });
});
