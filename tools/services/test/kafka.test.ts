import { afterAll, describe, expect, it } from 'vitest';
import { isListening, startKafka, type KafkaBroker } from '../src/index.js';

describe('startKafka', () => {
  let broker: KafkaBroker | undefined;
  afterAll(async () => broker?.destroy());

  it('starts a KRaft broker on 127.0.0.1, stops it and starts it again on the same port', async () => {
    broker = await startKafka();
    expect(broker.bootstrapServers).toBe(`127.0.0.1:${broker.port}`);
    expect(await isListening(broker.port)).toBe(true);
    await broker.stop();
    expect(await isListening(broker.port)).toBe(false);
    await broker.start();
    expect(await isListening(broker.port)).toBe(true);
  }, 180_000);
});
