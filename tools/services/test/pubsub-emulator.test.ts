import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isListening, pubSubEmulatorBinary, startPubSubEmulator, type PubSubEmulator } from '../src/index.js';

describe('startPubSubEmulator', () => {
  let emulator: PubSubEmulator | undefined;
  afterAll(async () => emulator?.destroy());

  it('serves on 127.0.0.1, stops, and starts again on the same port with no topics', async () => {
    emulator = await startPubSubEmulator({ projectId: 'demo' });
    expect(emulator.host).toBe(`127.0.0.1:${emulator.port}`);
    const root = `http://${emulator.host}`;
    expect(await (await fetch(`${root}/`)).text()).toMatch(/^Ok/);
    const topic = `${root}/v1/projects/demo/topics/tesla_V`;
    expect((await fetch(topic, { method: 'PUT' })).status).toBe(200);
    expect((await fetch(topic)).status).toBe(200);

    await emulator.stop();
    expect(await isListening(emulator.port)).toBe(false);
    await emulator.start();
    expect(await (await fetch(`${root}/`)).text()).toMatch(/^Ok/);
    expect((await fetch(topic)).status).toBe(404);
  }, 240_000);
});

describe('pubSubEmulatorBinary', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.PUBSUB_EMULATOR_BIN;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PUBSUB_EMULATOR_BIN;
    else process.env.PUBSUB_EMULATOR_BIN = saved;
  });

  it('says what is missing and where it looked', () => {
    process.env.PUBSUB_EMULATOR_BIN = '/nowhere/cloud-pubsub-emulator';
    expect(() => pubSubEmulatorBinary()).toThrow(/Pub\/Sub emulator is not installed: no executable at PUBSUB_EMULATOR_BIN=\/nowhere\/cloud-pubsub-emulator/);
  });

  it('honours PUBSUB_EMULATOR_BIN', () => {
    process.env.PUBSUB_EMULATOR_BIN = process.execPath;
    expect(pubSubEmulatorBinary()).toBe(process.execPath);
  });
});
