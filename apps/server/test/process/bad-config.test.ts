import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnServer } from './harness.js';

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

  it('exits 1 when the config file is missing, naming it', async () => {
    const server = spawnServer(['--config', '/nonexistent/fleet-telemetry.json']);
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toMatch(/config error: the config file \/nonexistent\/fleet-telemetry\.json cannot be read/);
  });

  it('exits 2 on an unknown flag', async () => {
    const server = spawnServer(['--verbose']);
    expect(await server.exited).toBe(2);
    expect(server.stderr()).toContain('unknown argument: --verbose');
  });
});
