import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli/run.js';
import { installMeterProvider } from '../../src/metrics/provider.js';

function capturingIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    exit: (code) => {
      throw new Error(`exit ${code}`);
    },
  };
  return { io, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

// Only the paths that end before the server starts: the process tests cover running servers.
describe('runCli before the server starts', () => {
  const metrics = installMeterProvider();

  it('prints the usage for --help and returns 0', async () => {
    const captured = capturingIo();
    expect(await runCli(['--help'], metrics, captured.io)).toBe(0);
    expect(captured.stdout()).toContain('-config=<path>');
  });

  it('returns 2 for an unknown flag, with the usage', async () => {
    const captured = capturingIo();
    expect(await runCli(['--verbose'], metrics, captured.io)).toBe(2);
    expect(captured.stderr()).toMatch(/^unknown argument: --verbose\nusage:/);
  });

  it('returns 1 when the config file is missing, naming it', async () => {
    const captured = capturingIo();
    expect(await runCli(['-config=/nonexistent/fleet-telemetry.json'], metrics, captured.io)).toBe(1);
    expect(captured.stderr()).toMatch(/^config error: the config file \/nonexistent\/fleet-telemetry\.json cannot be read/);
  });

  it('returns 1 for invalid JSON, with the position', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ft-cli-'));
    const path = join(directory, 'config.json');
    writeFileSync(path, '{\n  "port": 443\n  "host": "x"\n}\n');
    const captured = capturingIo();
    expect(await runCli([`-config=${path}`], metrics, captured.io)).toBe(1);
    expect(captured.stderr()).toBe(`config error: the config is not valid JSON: expected ',' (or a closing bracket) (${path}:3:3)`);
  });
});
