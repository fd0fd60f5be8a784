import { afterEach, describe, expect, it } from 'vitest';
import { isListening, startKinesalite, type Kinesalite } from '../src/index.js';

/** A Kinesis JSON API call; kinesalite wants an Authorization header but does not check signatures. */
async function kinesis(server: Kinesalite, action: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(server.endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `Kinesis_20131202.${action}`,
      'X-Amz-Date': '20250101T000000Z',
      Authorization: 'AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  const text = await response.text(); // CreateStream answers with an empty body
  const json = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${action}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

describe('startKinesalite', () => {
  let server: Kinesalite | undefined;
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
  });

  it('serves the Kinesis API on 127.0.0.1, and keeps its streams across a stop and start', async () => {
    server = await startKinesalite();
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    await kinesis(server, 'CreateStream', { StreamName: 'tesla_V', ShardCount: 1 });
    expect((await kinesis(server, 'DescribeStreamSummary', { StreamName: 'tesla_V' })).StreamDescriptionSummary).toMatchObject({
      StreamStatus: 'ACTIVE',
    });

    await server.stop();
    expect(await isListening(server.port)).toBe(false);
    await server.start();
    expect(await isListening(server.port)).toBe(true);
    expect(await kinesis(server, 'ListStreams', {})).toMatchObject({ StreamNames: ['tesla_V'] });
  }, 60_000);

  it('in memory, forgets its streams when it restarts', async () => {
    server = await startKinesalite({ inMemory: true });
    expect(server.dataDir).toBeUndefined();
    await kinesis(server, 'CreateStream', { StreamName: 'tesla_V', ShardCount: 1 });
    await server.stop();
    await server.start();
    expect(await kinesis(server, 'ListStreams', {})).toMatchObject({ StreamNames: [] });
  }, 60_000);
});
