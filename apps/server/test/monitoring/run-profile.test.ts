import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { profilePathOfThisProcess, startRunProfileFromConfig } from '../../src/monitoring/run-profile.js';

describe('startRunProfileFromConfig', () => {
  const logger = pino({ level: 'silent' });

  it('records nothing without profiling_path', async () => {
    expect(await startRunProfileFromConfig({ monitoring: { profiler_port: 4269 } }, logger)).toBeUndefined();
  });

  it('writes the profile when the returned function runs', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ft-run-profile-')), 'run.cpuprofile');
    const write = await startRunProfileFromConfig({ monitoring: { profiling_path: path } }, logger);
    await write?.();
    expect((JSON.parse(readFileSync(path, 'utf8')) as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
  });

  it('names the key when the file cannot be created', async () => {
    const started = startRunProfileFromConfig({ monitoring: { profiling_path: '/nonexistent-directory/run.cpuprofile' } }, logger);
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/^config error: monitoring\.profiling_path names a file that cannot be written: ENOENT/);
  });
});

describe('profilePathOfThisProcess', () => {
  it('keeps the path in a single-process server and adds the worker id in a worker', () => {
    expect(profilePathOfThisProcess('/var/lib/ft/run.cpuprofile', undefined)).toBe('/var/lib/ft/run.cpuprofile');
    expect(profilePathOfThisProcess('/var/lib/ft/run.cpuprofile', 2)).toBe('/var/lib/ft/run.worker-2.cpuprofile');
    expect(profilePathOfThisProcess('/tmp/trace.out', 3)).toBe('/tmp/trace.worker-3.out');
    expect(profilePathOfThisProcess('/tmp/profile', 1)).toBe('/tmp/profile.worker-1');
  });
});
