import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArguments } from '../src/cli-options.js';
import { devVin } from '../src/index.js';

const run = promisify(execFile);
const cliPath = new URL('../src/cli.ts', import.meta.url).pathname;

describe('command-line arguments', () => {
  it('defaults to one vehicle in .dev/pki', () => {
    expect(parseCliArguments([])).toEqual({ kind: 'create', dir: '.dev/pki', options: { vehicles: 1 } });
  });

  it('reads a count or a VIN list, hosts and the key algorithm', () => {
    expect(parseCliArguments(['--out', 'x', '--vehicles', '10'])).toMatchObject({ dir: 'x', options: { vehicles: 10 } });
    expect(
      parseCliArguments(['--vehicles', 'A1, B2', '--host', 'a.test', '--host', '::1', '--key-algorithm', 'rsa-2048']),
    ).toMatchObject({ options: { vehicles: ['A1', 'B2'], hosts: ['a.test', '::1'], keyAlgorithm: 'rsa-2048' } });
    expect(parseCliArguments(['--help'])).toEqual({ kind: 'help' });
  });

  it('refuses unknown options and values', () => {
    expect(() => parseCliArguments(['--bogus'])).toThrow(/Unknown option/);
    expect(() => parseCliArguments(['--key-algorithm', 'dsa'])).toThrow(/unsupported key algorithm/);
    expect(() => parseCliArguments(['--vehicles', ','])).toThrow(/count or a list of VINs/);
  });
});

// Each case starts Node with the TypeScript loader: generous budgets for a busy machine.
describe('fleet-telemetry-dev-pki', { timeout: 60_000 }, () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-pki-cli-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a PKI and says what it wrote, then reports it up to date', async () => {
    const args = ['--import', 'tsx', cliPath, '--out', dir, '--vehicles', '2'];
    const first = await run(process.execPath, args);
    expect(first.stdout).toContain(`Wrote to ${dir}:`);
    expect(first.stdout).toContain(join(dir, 'vehicles', `${devVin(2)}.pem`));
    expect((await readdir(join(dir, 'vehicles'))).length).toBe(4);

    const second = await run(process.execPath, args);
    expect(second.stdout).toContain('is up to date');
    expect(second.stdout).toContain(`Vehicle ${devVin(1)}`);
  });

  it('exits with status 2 and the usage on a bad argument', async () => {
    const failure = await run(process.execPath, ['--import', 'tsx', cliPath, '--bogus']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('Usage: fleet-telemetry-dev-pki');
  });
});
