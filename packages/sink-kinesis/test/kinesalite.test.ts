import { KinesisClient, type PutRecordsInput, type PutRecordsOutput } from '@aws-sdk/client-kinesis';
import { decodeRecord } from '@fleet-telemetry/codec';
import { freePort, startKinesalite, type Kinesalite } from '@fleet-telemetry/test-services';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KinesisConnectionError, KinesisSink } from '../src/index.js';
import { LOCAL_AWS, createStream, kinesisAdmin, readStream } from './support/kinesalite.js';
import { outcomes, until } from './support/outcomes.js';
import { markerOf, realRecord, type RecordKind } from './support/records.js';
import { testMeter } from './support/test-meter.js';

let server: Kinesalite;
let admin: KinesisClient;

beforeAll(async () => {
  server = await startKinesalite();
  admin = kinesisAdmin(server.endpoint);
  await createStream(admin, 'tesla_V', 2);
  await createStream(admin, 'tesla_connectivity', 1);
});

afterAll(async () => {
  admin?.destroy();
  await server?.destroy();
});

function kinesisSink(extra: Partial<ConstructorParameters<typeof KinesisSink>[0]> = {}, config: Record<string, unknown> = {}) {
  return new KinesisSink({
    namespace: 'tesla',
    recordTypes: ['V', 'connectivity'],
    config: { override_host: server.endpoint, retry_max_delay_ms: 300, ...config },
    clientConfig: LOCAL_AWS,
    env: {},
    ...extra,
  });
}

describe('KinesisSink against kinesalite', () => {
  it('writes V and connectivity records, protobuf and JSON, to their streams with the VIN as partition key', async () => {
    const sink = kinesisSink();
    await sink.start();
    const run = `layout-${Date.now()}`;
    const cases: Array<[RecordKind, 'protobuf' | 'json']> = [
      ['V', 'protobuf'],
      ['V', 'json'],
      ['connectivity', 'protobuf'],
      ['connectivity', 'json'],
    ];
    const records = cases.map(([kind, encoding], index) => realRecord(kind, encoding, `5YJ3E1EA7KF00000${index}`, `${run}-${index}`));
    const delivery = outcomes(records.length);
    records.forEach((record, index) => sink.write(record, delivery.callback(index)));
    await delivery.done;
    expect(delivery.results).toEqual(['ok', 'ok', 'ok', 'ok']);

    for (const stream of ['tesla_V', 'tesla_connectivity']) {
      const stored = (await readStream(admin, stream))
        .filter((record) => markerOrEmpty(record.data, stream).startsWith(run))
        .map((record) => ({ record, decoded: decodeRecord({ value: record.data, topic: stream, namespace: 'tesla' }) }));
      const expected = records.filter((record) => `tesla_${record.recordType}` === stream);
      expect(stored).toHaveLength(expected.length);
      for (const record of expected) {
        const match = stored.find(({ decoded }) => decoded.encoding === record.encoding && decoded.vin === record.vin);
        expect(match, `${record.txid} in ${stream}`).toBeDefined();
        expect(match?.record.partitionKey).toBe(record.vin);
        expect(match?.decoded.recordType).toBe(record.recordType);
        expect(Buffer.from(match?.record.data ?? []).equals(Buffer.from(record.payload))).toBe(true);
      }
    }
    await sink.close();
  });

  it('fails start-up with a clear message when nothing answers at override_host', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const sink = new KinesisSink({ namespace: 'tesla', config: { override_host: endpoint }, clientConfig: LOCAL_AWS, env: {} });
    const started = sink.start();
    await expect(started).rejects.toBeInstanceOf(KinesisConnectionError);
    await expect(started).rejects.toThrow(`kinesis: failed to list streams (test connection) at ${endpoint}: `);
    await sink.close();
  });

  it('retries exactly the entries a response marks failed, against the real server', async () => {
    // Kinesis offers no way to make chosen entries fail: a middleware keeps those entries from the
    // server the first time it sees them and reports them failed, as Kinesis reports a throttled entry.
    const client = new KinesisClient({ ...LOCAL_AWS, endpoint: server.endpoint, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    const sent: string[][] = [];
    const refusedOnce = new Set<string>();
    const text = (data: Uint8Array | undefined) => new TextDecoder().decode(data);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'PutRecordsCommand') return next(args);
        const input = args.input as PutRecordsInput;
        const entries = input.Records ?? [];
        sent.push(entries.map((entry) => text(entry.Data)));
        const refuse = entries.map((entry) => text(entry.Data).startsWith('refuse-') && !refusedOnce.has(text(entry.Data)));
        const forwarded = entries.filter((_, index) => !refuse[index]);
        const result = await next({ ...args, input: { ...input, Records: forwarded } });
        const answers = [...((result.output as PutRecordsOutput).Records ?? [])];
        const merged = entries.map((entry, index) => {
          if (!refuse[index]) return answers.shift();
          refusedOnce.add(text(entry.Data));
          return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000000' };
        });
        const output = { ...(result.output as PutRecordsOutput), FailedRecordCount: refuse.filter(Boolean).length, Records: merged };
        return { ...result, output: output as typeof result.output };
      },
      { step: 'initialize', name: 'refuseChosenEntriesOnce' },
    );
    const metrics = testMeter();
    const sink = kinesisSink({ client, meter: metrics.meter }, { max_retries: 1, retry_base_delay_ms: 10 });
    await sink.start();

    const run = Date.now();
    const payloads = ['keep-0', 'refuse-1', 'keep-2', 'refuse-3', 'keep-4', 'keep-5'].map((name) => `${name}-${run}`);
    const callsWhenConfirmed = new Map<string, number>();
    const delivery = outcomes(payloads.length);
    payloads.forEach((payload, index) => {
      const confirm = delivery.callback(index);
      sink.write(realRecordWithPayload(payload), (error) => {
        callsWhenConfirmed.set(payload, sent.length);
        confirm(error);
      });
    });
    await delivery.done;

    expect(delivery.results).toEqual(new Array(6).fill('ok'));
    expect(sent).toEqual([payloads, [payloads[1], payloads[3]]]);
    expect(callsWhenConfirmed.get(payloads[1] as string)).toBe(2);
    expect(callsWhenConfirmed.get(payloads[0] as string)).toBe(1);
    const stored = (await readStream(admin, 'tesla_V')).map((record) => text(record.data)).filter((data) => data.endsWith(`-${run}`));
    expect(stored.sort()).toEqual([...payloads].sort());
    expect(await metrics.value('kinesis_put_records_calls_total', { outcome: 'partial' })).toBe(1);
    expect(await metrics.value('kinesis_put_records_calls_total', { outcome: 'ok' })).toBe(1);
    expect(await metrics.value('kinesis_retry_total', { record_type: 'V', reason: 'entry' })).toBe(2);
    await sink.close();
    client.destroy();
  });

  it('fails records at once while their stream is missing (an in-memory server lost it), and writes again once it exists', async () => {
    const memory = await startKinesalite({ inMemory: true });
    const memoryAdmin = kinesisAdmin(memory.endpoint);
    try {
      await createStream(memoryAdmin, 'tesla_V');
      const sink = kinesisSink({}, { override_host: memory.endpoint, delivery_timeout_ms: 120_000 });
      await sink.start();
      await memory.stop();
      await memory.start();

      const lost = outcomes(1);
      sink.write(realRecord('V', 'protobuf', '5YJ3E1EA7KF000001', 'lost'), lost.callback(0));
      await lost.done;
      expect(lost.results[0]).toMatchObject({ name: 'KinesisDeliveryError', code: 'ResourceNotFoundException' });
      expect((lost.results[0] as Error).message).toMatch(/PutRecords to tesla_V failed: .*not found/);

      await createStream(memoryAdmin, 'tesla_V');
      const kept = outcomes(1);
      sink.write(realRecord('V', 'protobuf', '5YJ3E1EA7KF000001', 'kept'), kept.callback(0));
      await kept.done;
      expect(kept.results).toEqual(['ok']);
      expect((await readStream(memoryAdmin, 'tesla_V')).map((record) => markerOrEmpty(record.data, 'tesla_V'))).toEqual(['kept']);
      await sink.close();
    } finally {
      memoryAdmin.destroy();
      await memory.destroy();
    }
  });

  // Last: it stops and restarts the shared server.
  it('confirms nothing while the server is down, and delivers the held records once it is back', async () => {
    const metrics = testMeter();
    const sink = kinesisSink({ meter: metrics.meter }, { retry_base_delay_ms: 50, retry_max_delay_ms: 200, delivery_timeout_ms: 120_000 });
    await sink.start();
    await server.stop();

    const run = `outage-${Date.now()}`;
    const records = Array.from({ length: 20 }, (_, index) => realRecord(index % 2 === 0 ? 'V' : 'connectivity', 'protobuf', `5YJ3E1EA7KF1000${index % 10}`, `${run}-${index}`));
    const delivery = outcomes(records.length);
    records.forEach((record, index) => sink.write(record, delivery.callback(index)));
    await until(async () => (await metrics.value('kinesis_put_records_calls_total', { outcome: 'failed' })) >= 3, 10_000, 'failed calls while the server is down');
    expect(delivery.settled).toBe(0);
    expect(sink.health()).toMatchObject({ healthy: false, pending: 20 });

    await server.start();
    await delivery.done;
    expect(delivery.results).toEqual(new Array(20).fill('ok'));
    expect(sink.health()).toMatchObject({ healthy: true, pending: 0 });
    const markers = async (stream: string) => (await readStream(admin, stream)).map((record) => markerOrEmpty(record.data, stream));
    const stored = [...(await markers('tesla_V')), ...(await markers('tesla_connectivity'))].filter((marker) => marker.startsWith(run));
    expect(stored.sort()).toEqual(records.map((record) => record.socketId).sort());
    expect(await metrics.value('kinesis_err', { record_type: 'V' })).toBe(0);
    await sink.close();
  });
});

/** The marker of a record another test wrote too (plain text records included, as ''). */
function markerOrEmpty(data: Uint8Array, stream: string): string {
  try {
    return markerOf(decodeRecord({ value: data, topic: stream, namespace: 'tesla' }));
  } catch {
    return '';
  }
}

function realRecordWithPayload(text: string) {
  return { ...realRecord('V', 'protobuf', '5YJ3E1EA7KF000009', text), payload: new TextEncoder().encode(text) };
}
