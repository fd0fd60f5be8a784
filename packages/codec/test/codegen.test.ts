import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Field } from '@fleet-telemetry/codec';

const workspaceRoot = resolve(import.meta.dirname, '../../..');
const committedDir = resolve(import.meta.dirname, '../src/gen');

describe('generated protobuf code', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'codec-gen-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('is what `nx codegen` generates from protos/ today (regenerate and commit when this fails)', () => {
    const template = JSON.stringify({
      version: 'v2',
      plugins: [{ local: 'protoc-gen-es', out: outDir, opt: ['target=ts', 'import_extension=js'] }],
    });
    const bin = join(workspaceRoot, 'node_modules', '.bin');
    execFileSync(join(bin, 'buf'), ['generate', 'protos', '--template', template], {
      cwd: workspaceRoot,
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
      stdio: 'pipe',
    });
    const generated = readdirSync(outDir).sort();
    expect(generated).toEqual(readdirSync(committedDir).sort());
    for (const file of generated) {
      expect(readFileSync(join(outDir, file), 'utf8'), file).toBe(readFileSync(join(committedDir, file), 'utf8'));
    }
  }, 60_000);

  it('has exactly the reference server’s Field enum, names and numbers', () => {
    const reference = readFileSync(resolve(import.meta.dirname, 'fixtures/field-enum.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split('='))
      .map(([name, number]) => [name, Number(number)]);
    const ours = Object.entries(Field)
      .filter(([, value]) => typeof value === 'number')
      .sort(([, a], [, b]) => (a as number) - (b as number));
    expect(ours).toEqual(reference);
    expect(Field.SelfDrivingMilesSinceReset).toBe(259);
  });
});
