import { bench, describe } from 'vitest';
import { NoopSink, RecordRouter } from '../src/index.js';
import { MemorySink, testRecord } from '../src/testing/index.js';

const BATCH = 1_000;
const records = Array.from({ length: BATCH }, () => testRecord({ payload: new Uint8Array(512) }));
const kafka = new NoopSink('kafka');
const logger = new MemorySink({ name: 'logger', confirmsWrites: false });
const unreliable = new RecordRouter({ routes: { V: [kafka] } });
const reliable = new RecordRouter({ routes: { V: [kafka] }, reliableAck: { V: 'kafka' } });
const allDurable = new RecordRouter({
  routes: { V: [kafka, new NoopSink('kinesis'), logger] },
  reliableAck: { V: 'kafka' },
  ackPolicy: 'all-durable',
});

function dispatchBatch(router: RecordRouter): Promise<void> {
  return new Promise((resolve) => {
    let outstanding = BATCH;
    const onAck = () => {
      outstanding -= 1;
      if (outstanding === 0) resolve();
    };
    for (const record of records) {
      if (router.dispatch(record, onAck) === 'ack-now') onAck();
    }
  });
}

describe(`dispatch ${BATCH} records to sinks that confirm at once`, () => {
  bench('ack at once (no reliable-ack source)', () => dispatchBatch(unreliable));
  bench('reliable ack from one source', () => dispatchBatch(reliable));
  bench('all-durable over two confirming sinks and a logger', async () => {
    logger.records.length = 0;
    await dispatchBatch(allDurable);
  });
});
