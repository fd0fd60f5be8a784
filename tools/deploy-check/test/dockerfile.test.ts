import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerStages, lintDockerfile, parseDockerfile, readImageRecipe, repositoryRoot, splitFlags, stageEnv } from '../src/index.js';

const root = repositoryRoot(fileURLToPath(new URL('.', import.meta.url)));
const dockerfile = join(root, 'Dockerfile');

describe('the Dockerfile', () => {
  it('has no dockerfilelint findings', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  const recipe = readImageRecipe(readFileSync(dockerfile, 'utf8'));

  it('builds and runs on pinned Node.js 20 images', () => {
    for (const image of [recipe.buildImage, recipe.runtimeImage]) expect(image).toMatch(/^node:20\.\d+\.\d+-[a-z]+-slim$/);
  });

  it('builds with the one build script, whose output the runtime stage copies', () => {
    expect(recipe.buildScript).toBe('deploy/docker/build-server.sh');
    expect(recipe.buildOutput).toMatch(/^\//);
    expect(recipe.entryFile).toBe('dist/main.js');
    const server = JSON.parse(readFileSync(join(root, 'apps/server/package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(`./${recipe.entryFile}`).toBe(server.bin['fleet-telemetry']);
  });

  it('runs fleet-telemetry -config=/etc/fleet-telemetry/config.json as a numeric non-root user', () => {
    expect(recipe.cmd).toEqual(['-config=/etc/fleet-telemetry/config.json']);
    expect(recipe.user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(recipe.env.NODE_ENV).toBe('production');
  });

  it('checks health with node (slim images have no curl) on the status port and exposes the mTLS ports', () => {
    expect(recipe.healthcheck?.[0]).toBe('node');
    expect(recipe.healthcheck?.join(' ')).toContain('/status');
    expect(recipe.env.STATUS_PORT).toMatch(/^\d+$/);
    expect(recipe.exposedPorts).toEqual(expect.arrayContaining([443, 4443, Number(recipe.env.STATUS_PORT)]));
  });
});

describe('dockerfilelint', () => {
  const directory = mkdtempSync(join(tmpdir(), 'ft-dockerfilelint-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reports the problems of a careless Dockerfile', () => {
    const careless = join(directory, 'Dockerfile');
    writeFileSync(careless, 'FROM node\nRUN apt-get update && apt-get install curl\nEXPOSE eighty\n');
    const titles = lintDockerfile(careless).map((finding) => finding.title);
    expect(titles).toEqual(expect.arrayContaining(['Base Image Missing Tag', 'Invalid Port Exposed', 'Consider `--no-install-recommends`']));
  });
});

describe('parseDockerfile', () => {
  const text = [
    '# syntax=docker/dockerfile:1',
    'FROM node:20-slim AS build',
    'RUN --mount=type=cache,target=/store \\',
    '  # a comment inside a continuation is dropped',
    '  sh build.sh /out',
    '',
    'from node:20-slim',
    'ENV A=1 \\',
    '  B="two words"',
    'COPY --from=build /out ./',
  ].join('\n');

  it('joins continuation lines, drops comments and numbers stages', () => {
    const instructions = parseDockerfile(text);
    expect(instructions.map(({ keyword, line, stage }) => [keyword, line, stage])).toEqual([
      ['FROM', 2, 0],
      ['RUN', 3, 0],
      ['FROM', 7, 1],
      ['ENV', 8, 1],
      ['COPY', 10, 1],
    ]);
    expect(instructions[1]!.args).toBe('--mount=type=cache,target=/store sh build.sh /out');
  });

  it('names stages, splits flags and reads ENV', () => {
    const stages = dockerStages(parseDockerfile(text));
    expect(stages.map((stage) => [stage.image, stage.name])).toEqual([
      ['node:20-slim', 'build'],
      ['node:20-slim', undefined],
    ]);
    expect(splitFlags('--from=build /out ./')).toEqual({ flags: { from: 'build' }, rest: '/out ./' });
    expect(stageEnv(stages[1]!)).toEqual({ A: '1', B: 'two words' });
  });

  it('finds the build script behind RUN flags and variable assignments', () => {
    const recipe = readImageRecipe(
      [
        'FROM node:20-slim AS build',
        'RUN apt-get update',
        'RUN --mount=type=cache,target=/store STORE=/store sh tools/build.sh --fast /out',
        'FROM node:20-slim',
        'WORKDIR /app',
        'COPY --from=build /out ./',
        'RUN ln -s /app/bin/run.js /usr/local/bin/run',
        'ENTRYPOINT ["run"]',
      ].join('\n'),
    );
    expect(recipe).toMatchObject({ buildScript: 'tools/build.sh', buildScriptArgs: ['--fast'], buildOutput: '/out', entryFile: 'bin/run.js' });
  });

  it('refuses a recipe whose runtime stage copies nothing from a build stage', () => {
    expect(() => readImageRecipe('FROM node:20-slim AS build\nRUN sh build.sh /out\nFROM node:20-slim\n')).toThrow(/COPY --from/);
  });
});
