import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Credentials and region for a local Kinesis API, which checks neither. */
export const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } as const;

/** A client for setting up and reading streams (HTTP/1.1: kinesalite does not speak HTTP/2). */
export function kinesisAdmin(endpoint: string): KinesisClient {
  return new KinesisClient({ ...LOCAL_AWS, endpoint, requestHandler: new NodeHttpHandler() });
}

export async function createStream(admin: KinesisClient, name: string, shards = 1): Promise<void> {
  await admin.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const summary = await admin.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`stream ${name} did not become active`);
}

export interface StreamRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly shardId: string;
}

/** Every record in the stream now, shard by shard from the oldest; never waits for more. */
export async function readStream(admin: KinesisClient, name: string): Promise<StreamRecord[]> {
  const shards = (await admin.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
  const records: StreamRecord[] = [];
  for (const shard of shards) {
    const shardId = shard.ShardId as string;
    let iterator = (await admin.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' })))
      .ShardIterator;
    while (iterator !== undefined) {
      const page = await admin.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        records.push({ partitionKey: record.PartitionKey ?? '', data: record.Data ?? new Uint8Array(), shardId });
      }
      if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}
