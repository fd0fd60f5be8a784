import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevPki } from '@fleet-telemetry/dev-pki';
import { describe, expect, it } from 'vitest';
import { freePort, occupyPort, spawnServer } from './harness.js';

// Each case starts its own process; running them side by side keeps the suite short.
describe.concurrent('the server process with a bad config', () => {
  it('exits 1 and names the bad key on stderr', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-bad-config-'));
    const configPath = join(directory, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        port: 4443,
        rate_limit: { enabled: true, message_limit: 'many', message_interval_time: 30 },
        records: { V: ['logger'] },
        tls: { server_cert: 'server.pem', server_key: 'server-key.pem' },
      }),
    );
    const server = spawnServer([`-config=${configPath}`]);
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('config error: rate_limit.message_limit must be integer, got "many"');
  });

  it('exits 1 naming the key whose port is taken', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-port-taken-'));
    const pki = await createDevPki(join(directory, 'pki'), { vehicles: 0 });
    const taken = await occupyPort();
    const configPath = join(directory, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        host: '127.0.0.1',
        port: await freePort(),
        status_port: taken.port,
        records: { V: ['logger'] },
        tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile },
      }),
    );
    try {
      const server = spawnServer([`-config=${configPath}`]);
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toContain('config error: status_port names a port that is already in use');
    } finally {
      taken.release();
    }
  });
});
