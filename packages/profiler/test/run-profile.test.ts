import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCpuProfile, startRunProfile } from '../src/index.js';

describe('startRunProfile', () => {
  it('writes the profile of everything between start and stopAndWrite to the file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ft-profiler-')), 'run.cpuprofile');
    const run = await startRunProfile(path, { samplingIntervalMicros: 1000 });
    expect(readFileSync(path, 'utf8')).toBe('');
    let sum = 0;
    for (const end = Date.now() + 200; Date.now() < end; ) sum += Math.sqrt(sum + 1);
    await run.stopAndWrite();
    await run.stopAndWrite();

    const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: unknown[]; samples: number[] };
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.samples.length).toBeGreaterThan(10);
  });

  it('fails at once when the file cannot be created', async () => {
    await expect(startRunProfile('/nonexistent-directory/run.cpuprofile')).rejects.toThrow(/ENOENT/);
  });

  it('records beside a shorter profile taken at the same time', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ft-profiler-')), 'run.cpuprofile');
    const run = await startRunProfile(path);
    const short = await startCpuProfile();
    const shortProfile = await short.stop();
    await run.stopAndWrite();
    expect(shortProfile.nodes.length).toBeGreaterThan(0);
    expect((JSON.parse(readFileSync(path, 'utf8')) as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
  });
});
