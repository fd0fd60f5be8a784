import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImageRecipe, type ImageRecipe } from './image-recipe.js';
import { cleanEnvironment, runCommand } from './processes.js';
import { exportCommit } from './repository.js';

export interface BuildDeployableOptions {
  /** The checkout whose commit is built. */
  readonly repositoryRoot: string;
  /** An empty directory for the copy, the output and the log. */
  readonly workDirectory: string;
  /** Default HEAD. */
  readonly revision?: string;
  /**
   * Extra flags for pnpm install/deploy. The default, --prefer-offline, takes every package (and
   * node-rdkafka's compiled build, from pnpm's side-effects cache) from the local store when it
   * is there, so the build does not wait on the registry.
   */
  readonly pnpmFlags?: string;
}

export interface BuiltDeployable {
  readonly recipe: ImageRecipe;
  /** The copy of the commit that was built. */
  readonly sourceDirectory: string;
  /** What the image's runtime stage copies (the build stage's output directory). */
  readonly directory: string;
  readonly logFile: string;
  readonly exportMs: number;
  readonly buildMs: number;
}

/**
 * Does what the Dockerfile's build stage does, without Docker: writes the commit to a fresh
 * directory (the build context) and runs the build stage's script there, to a local output
 * directory instead of the image's.
 */
export async function buildDeployable(options: BuildDeployableOptions): Promise<BuiltDeployable> {
  const sourceDirectory = join(options.workDirectory, 'repository');
  const directory = join(options.workDirectory, 'deployable');
  const logFile = join(options.workDirectory, 'build.log');

  let started = performance.now();
  await exportCommit(options.repositoryRoot, sourceDirectory, options.revision);
  const exportMs = performance.now() - started;
  const recipe = readImageRecipe(readFileSync(join(sourceDirectory, 'Dockerfile'), 'utf8'));

  started = performance.now();
  const result = await runCommand('sh', [recipe.buildScript, ...recipe.buildScriptArgs, directory], {
    cwd: sourceDirectory,
    env: cleanEnvironment(options.repositoryRoot, { PNPM_FLAGS: options.pnpmFlags ?? '--prefer-offline' }),
    logFile,
  });
  const buildMs = performance.now() - started;
  if (result.code !== 0) {
    throw new Error(`${recipe.buildScript} failed (${result.code ?? result.signal}); full log in ${logFile}\n${result.tail}`);
  }
  return { recipe, sourceDirectory, directory, logFile, exportMs, buildMs };
}
