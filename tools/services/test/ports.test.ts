import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, isListening, waitFor } from '../src/index.js';

describe('ports', () => {
  it('finds a free port and tells whether something listens on it', async () => {
    const port = await freePort();
    expect(await isListening(port)).toBe(false);
    const server = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    expect(await isListening(port)).toBe(true);
    server.close();
  });

  it('waitFor gives up with a message naming what it waited for', async () => {
    await expect(waitFor('the moon', async () => false, 300, 50)).rejects.toThrow(/the moon/);
  });
});
