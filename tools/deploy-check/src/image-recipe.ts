import { posix } from 'node:path';
import {
  dockerStages,
  entrypointAndCmd,
  exposedPorts,
  healthcheckCommand,
  parseDockerfile,
  splitFlags,
  stageEnv,
  type DockerStage,
} from './dockerfile.js';

/**
 * What the image does, read from the Dockerfile, so the check without Docker runs the same steps:
 * the build script and its output directory, where that output lands in the runtime image, the
 * command the image starts, its environment and its health check.
 */
export interface ImageRecipe {
  /** The build stage's script, relative to the repository root (`deploy/docker/build-server.sh`). */
  readonly buildScript: string;
  /** Arguments the build stage passes before the output directory (usually none). */
  readonly buildScriptArgs: readonly string[];
  /** The build stage's output directory (`/deploy`), copied into the runtime stage. */
  readonly buildOutput: string;
  /** The file inside the build output that the entry point runs (`dist/main.js`). */
  readonly entryFile: string;
  /** Arguments after the entry point (`-config=/etc/fleet-telemetry/config.json`). */
  readonly cmd: readonly string[];
  /** `ENV` of the runtime stage. */
  readonly env: Readonly<Record<string, string>>;
  /** The runtime stage's `HEALTHCHECK` command (exec form). */
  readonly healthcheck: readonly string[] | undefined;
  readonly exposedPorts: readonly number[];
  /** The numeric `USER` of the runtime stage, if any. */
  readonly user: string | undefined;
  readonly buildImage: string;
  readonly runtimeImage: string;
}

export function readImageRecipe(dockerfileText: string): ImageRecipe {
  const stages = dockerStages(parseDockerfile(dockerfileText));
  const runtime = stages.at(-1);
  if (runtime === undefined || stages.length < 2) throw new Error('the Dockerfile needs a build stage and a runtime stage');

  const copy = runtime.instructions
    .map((instruction) => ({ instruction, ...splitFlags(instruction.args) }))
    .find(({ instruction, flags }) => instruction.keyword === 'COPY' && flags.from !== undefined);
  if (copy === undefined) throw new Error('the runtime stage copies nothing from the build stage (COPY --from=...)');
  const [buildOutput, copyDestination] = copy.rest.split(/\s+/);
  const build = stages.find((stage) => stage.name === copy.flags.from);
  if (build === undefined || buildOutput === undefined || copyDestination === undefined) {
    throw new Error(`line ${copy.instruction.line}: COPY --from=${copy.flags.from} does not name a build stage, source and destination`);
  }

  const script = buildScriptRun(build, buildOutput);
  const { entrypoint, cmd } = entrypointAndCmd(runtime);
  const imageDirectory = posix.resolve(workdirBefore(runtime, copy.instruction.line), copyDestination);
  return {
    buildScript: script.path,
    buildScriptArgs: script.args,
    buildOutput,
    entryFile: entryFileOf(runtime, entrypoint, imageDirectory),
    cmd,
    env: stageEnv(runtime),
    healthcheck: healthcheckCommand(runtime),
    exposedPorts: exposedPorts(runtime),
    user: runtime.instructions.filter((instruction) => instruction.keyword === 'USER').at(-1)?.args.trim(),
    buildImage: build.image,
    runtimeImage: runtime.image,
  };
}

/**
 * The build stage's `RUN [NAME=value ...] sh <script> [args...] <output>`: the one source of the
 * build steps. Variables set before the script belong to the image build (where its pnpm store
 * is); the check runs the script with its own.
 */
function buildScriptRun(build: DockerStage, output: string): { path: string; args: string[] } {
  for (const instruction of build.instructions) {
    if (instruction.keyword !== 'RUN') continue;
    const words = splitFlags(instruction.args).rest.split(/\s+/);
    while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) words.shift();
    if (words[0] === 'sh' && words[1]?.endsWith('.sh') && words.at(-1) === output) {
      return { path: words[1], args: words.slice(2, -1) };
    }
  }
  throw new Error(`the build stage has no "RUN sh <script>.sh ${output}" step`);
}

function workdirBefore(stage: DockerStage, line: number): string {
  let workdir = '/';
  for (const instruction of stage.instructions) {
    if (instruction.line > line) break;
    if (instruction.keyword === 'WORKDIR') workdir = posix.resolve(workdir, instruction.args.trim());
  }
  return workdir;
}

/**
 * The entry point is a bare command name: find the `ln -s <target> <dir>/<name>` that puts it on
 * PATH and turn its target into a path inside the build output.
 */
function entryFileOf(runtime: DockerStage, entrypoint: readonly string[], imageDirectory: string): string {
  const command = entrypoint[0];
  if (command === undefined) throw new Error('the runtime stage has no ENTRYPOINT');
  for (const instruction of runtime.instructions) {
    if (instruction.keyword !== 'RUN') continue;
    const match = /\bln\s+-s\s+(\S+)\s+(\S+)/.exec(instruction.args);
    if (match === null || posix.basename(match[2]!) !== command) continue;
    const target = posix.resolve(imageDirectory, match[1]!);
    const inside = posix.relative(imageDirectory, target);
    if (inside.startsWith('..')) throw new Error(`line ${instruction.line}: ${command} points outside ${imageDirectory}`);
    return inside;
  }
  throw new Error(`no "RUN ln -s <file> .../${command}" puts the entry point on PATH`);
}
