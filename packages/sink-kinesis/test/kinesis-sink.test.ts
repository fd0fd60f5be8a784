import { SinkClosedError } from '@fleet-telemetry/sink-api';
import { testRecord } from '@fleet-telemetry/sink-api/testing';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KinesisConnectionError, KinesisDeliveryError, KinesisOverflowError, KinesisRecordRejectedError, KinesisSink, type KinesisSinkOptions } from '../src/index.js';
import { fakeKinesisClient, serviceError, type FakeAnswer } from './support/fake-client.js';
import { outcomes, until } from './support/outcomes.js';
import { testMeter } from './support/test-meter.js';

interface PutCall {
  readonly stream: string;
  readonly records: ReadonlyArray<{ Data: Uint8Array; PartitionKey: string }>;
}

/** Answers ListStreams and DescribeStreamSummary; PutRecords goes to `put` (default: all written). */
function service(put: (call: PutCall) => unknown = (call) => ({ FailedRecordCount: 0, Records: call.records.map((_, i) => ({ ShardId: 'shardId-000000000000', SequenceNumber: String(i) })) })) {
  const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
  const puts: PutCall[] = [];
  const answer: FakeAnswer = (command, input) => {
    calls.push({ command, input });
    if (command === 'ListStreamsCommand') return { StreamNames: ['tesla_V'], HasMoreStreams: false };
    if (command === 'DescribeStreamSummaryCommand') {
      if (input['StreamName'] !== 'tesla_V') throw serviceError('ResourceNotFoundException', 400, `Stream ${String(input['StreamName'])} not found`);
      return { StreamDescriptionSummary: { StreamName: 'tesla_V', StreamStatus: 'ACTIVE' } };
    }
    if (command === 'PutRecordsCommand') {
      const call = { stream: input['StreamName'] as string, records: input['Records'] as PutCall['records'] };
      puts.push(call);
      return put(call);
    }
    throw new Error(`unexpected ${command}`);
  };
  return { client: fakeKinesisClient(answer), calls, puts };
}

function sink(client: KinesisSinkOptions['client'], options: Partial<KinesisSinkOptions> = {}, config: Record<string, unknown> = {}) {
  return new KinesisSink({ namespace: 'tesla', client, env: {}, config: { linger_ms: 1, retry_base_delay_ms: 1, retry_max_delay_ms: 2, ...config }, ...options });
}

function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('KinesisSink.start', () => {
  it('proves the connection with a one-stream ListStreams call and checks the streams of its record types', async () => {
    const fake = service();
    const logs = captureLogs();
    const kinesis = sink(fake.client, { recordTypes: ['V', 'alerts'], logger: logs.logger });
    await kinesis.start();
    expect(fake.calls[0]).toEqual({ command: 'ListStreamsCommand', input: { Limit: 1 } });
    expect(fake.calls.filter((call) => call.command === 'DescribeStreamSummaryCommand').map((call) => call.input['StreamName']).sort()).toEqual([
      'tesla_V',
      'tesla_alerts',
    ]);
    expect(logs.lines.find((line) => line['stream'] === 'tesla_alerts')?.['msg']).toMatch(/kinesis stream tesla_alerts for alerts records cannot be described/);
    expect(kinesis.health()).toMatchObject({ healthy: true, pending: 0 });
    await kinesis.close();
  });

  it('fails with a clear message when the list call fails', async () => {
    const client = fakeKinesisClient(() => {
      throw serviceError('UnrecognizedClientException', 400, 'The security token included in the request is invalid.');
    });
    const kinesis = sink(client, {}, { override_host: 'https://kinesis.example' });
    const started = kinesis.start();
    await expect(started).rejects.toBeInstanceOf(KinesisConnectionError);
    await expect(started).rejects.toThrow(
      'kinesis: failed to list streams (test connection) at https://kinesis.example: The security token included in the request is invalid.',
    );
    expect(kinesis.health()).toMatchObject({ healthy: false, detail: 'not started' });
    await kinesis.close();
  });

  it('holds records written before start and sends them once started', async () => {
    const fake = service();
    const kinesis = sink(fake.client);
    const delivery = outcomes(1);
    kinesis.write(testRecord(), delivery.callback(0));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.puts).toHaveLength(0);
    await kinesis.start();
    await delivery.done;
    expect(delivery.results).toEqual(['ok']);
    await kinesis.close();
  });
});

describe('KinesisSink.write', () => {
  it('sends the payload to the record type stream with the VIN as partition key, and counts it', async () => {
    const fake = service();
    const metrics = testMeter();
    const kinesis = sink(fake.client, { meter: metrics.meter, env: { KINESIS_STREAM_CONNECTIVITY: 'conn-stream' } });
    await kinesis.start();
    const delivery = outcomes(2);
    kinesis.write(testRecord({ recordType: 'V', vin: 'VIN-A', payload: new Uint8Array([1, 2, 3]) }), delivery.callback(0));
    kinesis.write(testRecord({ recordType: 'connectivity', vin: 'VIN-B', payload: new Uint8Array([4, 5]) }), delivery.callback(1));
    kinesis.write(testRecord({ recordType: 'V', vin: 'VIN-C', payload: new Uint8Array([6]) })); // no callback: no reliable ack
    await delivery.done;
    await kinesis.flush(1_000);
    expect(delivery.results).toEqual(['ok', 'ok']);
    const byStream = Object.fromEntries(fake.puts.map((call) => [call.stream, call.records.map((r) => [r.PartitionKey, [...r.Data]])]));
    expect(byStream).toEqual({
      tesla_V: [
        ['VIN-A', [1, 2, 3]],
        ['VIN-C', [6]],
      ],
      'conn-stream': [['VIN-B', [4, 5]]],
    });
    expect(await metrics.value('kinesis_publish_total', { record_type: 'V' })).toBe(2);
    expect(await metrics.value('kinesis_publish_total_bytes', { record_type: 'V' })).toBe(4);
    expect(await metrics.value('kinesis_reliable_ack_total', { record_type: 'V' })).toBe(1);
    expect(await metrics.value('kinesis_reliable_ack_total', { record_type: 'connectivity' })).toBe(1);
    expect(await metrics.value('kinesis_put_records_calls_total', { outcome: 'ok' })).toBe(2);
    await kinesis.close();
  });

  it('fails records Kinesis would refuse without sending them, so they cannot fail a whole batch', async () => {
    const fake = service();
    const metrics = testMeter();
    const kinesis = sink(fake.client, { meter: metrics.meter });
    await kinesis.start();
    const delivery = outcomes(3);
    kinesis.write(testRecord({ vin: '' }), delivery.callback(0));
    kinesis.write(testRecord({ payload: new Uint8Array(1024 * 1024) }), delivery.callback(1));
    kinesis.write(testRecord({ payload: new Uint8Array([1]) }), delivery.callback(2));
    await delivery.done;
    expect(delivery.results[0]).toBeInstanceOf(KinesisRecordRejectedError);
    expect((delivery.results[0] as Error).message).toMatch(/partition key \(the VIN\) is empty/);
    expect((delivery.results[1] as Error).message).toMatch(/1048593 bytes with its partition key, over Kinesis' 1048576/);
    expect(delivery.results[2]).toBe('ok');
    expect(fake.puts.flatMap((call) => call.records)).toHaveLength(1);
    expect(await metrics.value('kinesis_err', { record_type: 'V' })).toBe(2);
    await kinesis.close();
  });

  it('confirms only the entries the response marks written, and fails an entry refused past max_retries', async () => {
    const fake = service((call) => ({
      FailedRecordCount: 1,
      Records: call.records.map((record, index) =>
        record.Data[0] === 9 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' } : { ShardId: 's', SequenceNumber: String(index) },
      ),
    }));
    const metrics = testMeter();
    const kinesis = sink(fake.client, { meter: metrics.meter }, { max_retries: 1 });
    await kinesis.start();
    const delivery = outcomes(2);
    kinesis.write(testRecord({ payload: new Uint8Array([1]) }), delivery.callback(0));
    kinesis.write(testRecord({ payload: new Uint8Array([9]) }), delivery.callback(1));
    await delivery.done;
    expect(delivery.results[0]).toBe('ok');
    expect(delivery.results[1]).toBeInstanceOf(KinesisDeliveryError);
    expect((delivery.results[1] as KinesisDeliveryError).code).toBe('InternalFailure');
    expect(fake.puts.map((call) => call.records.map((record) => record.Data[0]))).toEqual([[1, 9], [9]]);
    expect(await metrics.value('kinesis_err', { record_type: 'V' })).toBe(1);
    expect(await metrics.value('kinesis_retry_total', { record_type: 'V', reason: 'entry' })).toBe(1);
    expect(await metrics.value('kinesis_put_records_calls_total', { outcome: 'partial' })).toBe(2);
    await kinesis.close();
  });

  it('keeps calling back after a callback throws', async () => {
    const fake = service();
    const kinesis = sink(fake.client);
    await kinesis.start();
    const delivery = outcomes(1);
    kinesis.write(testRecord(), () => {
      throw new Error('careless caller');
    });
    kinesis.write(testRecord(), delivery.callback(0));
    await delivery.done;
    expect(delivery.results).toEqual(['ok']);
    await kinesis.close();
  });
});

describe('KinesisSink pushback', () => {
  it('saturates at max_buffered_records, drains at half, and refuses writes past twice the limit', async () => {
    const releases: Array<() => void> = [];
    const fake = service(
      (call) =>
        new Promise((resolve) => {
          releases.push(() => resolve({ FailedRecordCount: 0, Records: call.records.map(() => ({ ShardId: 's', SequenceNumber: '1' })) }));
        }),
    );
    const kinesis = sink(fake.client, {}, { max_buffered_records: 4, max_concurrent_requests: 1 });
    await kinesis.start();
    let drains = 0;
    kinesis.onDrain(() => (drains += 1));
    const delivery = outcomes(9);
    for (let i = 0; i < 3; i += 1) kinesis.write(testRecord({ payload: new Uint8Array([i]) }), delivery.callback(i));
    expect(kinesis.isSaturated()).toBe(false);
    kinesis.write(testRecord({ payload: new Uint8Array([3]) }), delivery.callback(3));
    expect(kinesis.isSaturated()).toBe(true);
    for (let i = 4; i < 9; i += 1) kinesis.write(testRecord({ payload: new Uint8Array([i]) }), delivery.callback(i));
    expect(delivery.results[8]).toBeInstanceOf(KinesisOverflowError);
    expect(delivery.results.slice(0, 8)).toEqual(new Array(8).fill('pending'));
    expect(kinesis.health().pending).toBe(8);

    await until(() => releases.length > 0, 1_000, 'the call');
    expect(drains).toBe(0);
    releases.shift()?.();
    await until(() => delivery.settled === 9, 2_000, 'the batch confirmed');
    await until(() => drains === 1, 1_000, 'the drain notification');
    expect(kinesis.isSaturated()).toBe(false);
    await kinesis.close();
  });
});

describe('KinesisSink.close', () => {
  it('fails what Kinesis has not confirmed within close_timeout_ms, is idempotent, and refuses later writes', async () => {
    const fake = service(() => new Promise(() => {}));
    const kinesis = sink(fake.client, {}, { close_timeout_ms: 50 });
    await kinesis.start();
    const delivery = outcomes(2);
    kinesis.write(testRecord(), delivery.callback(0));
    await until(() => fake.puts.length === 1, 1_000, 'the call');
    await Promise.all([kinesis.close(), kinesis.close()]);
    expect(delivery.results[0]).toBeInstanceOf(KinesisDeliveryError);
    expect((delivery.results[0] as KinesisDeliveryError).code).toBe('SinkClosed');
    kinesis.write(testRecord(), delivery.callback(1));
    expect(delivery.results[1]).toBeInstanceOf(SinkClosedError);
    expect(kinesis.health()).toMatchObject({ healthy: false, detail: 'closed', pending: 0 });
  });

  it('fails records of a sink that was never started at once', async () => {
    const fake = service();
    const kinesis = sink(fake.client, {}, { close_timeout_ms: 60_000 });
    const delivery = outcomes(1);
    kinesis.write(testRecord(), delivery.callback(0));
    await kinesis.close();
    expect(delivery.results[0]).toBeInstanceOf(KinesisDeliveryError);
    expect(fake.puts).toHaveLength(0);
  });
});
