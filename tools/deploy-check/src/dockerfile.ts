/** One Dockerfile instruction, continuation lines joined, with the stage it belongs to. */
export interface DockerInstruction {
  /** Upper-case keyword: `FROM`, `RUN`, `COPY`, ... */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  readonly args: string;
  /** 1-based line of the keyword. */
  readonly line: number;
  /** 0-based index of the stage (`FROM`) it belongs to; -1 before the first `FROM`. */
  readonly stage: number;
}

export interface DockerStage {
  readonly index: number;
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly DockerInstruction[];
}

/**
 * Splits a Dockerfile into instructions: comments and blank lines dropped (also between
 * continuation lines, as Docker does), `\` continuations joined.
 */
export function parseDockerfile(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  const lines = text.split(/\r?\n/);
  let stage = -1;
  let pending: { start: number; parts: string[] } | undefined;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1).trim() : line;
    if (pending === undefined) pending = { start: index + 1, parts: [] };
    pending.parts.push(part);
    if (continued) return;
    const joined = pending.parts.join(' ');
    const match = /^(\S+)\s*(.*)$/.exec(joined);
    if (match !== null) {
      const keyword = match[1]!.toUpperCase();
      if (keyword === 'FROM') stage += 1;
      instructions.push({ keyword, args: match[2]!, line: pending.start, stage });
    }
    pending = undefined;
  });
  return instructions;
}

/** The stages of a parsed Dockerfile, in order. */
export function dockerStages(instructions: readonly DockerInstruction[]): DockerStage[] {
  const stages: DockerStage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      stages.push({
        index: instruction.stage,
        image,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
    } else if (instruction.stage >= 0) {
      (stages[instruction.stage]!.instructions as DockerInstruction[]).push(instruction);
    }
  }
  return stages;
}

/** Splits off leading `--flag` / `--flag=value` options (`RUN --mount=...`, `COPY --from=...`). */
export function splitFlags(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args.trim();
  for (;;) {
    const match = /^--([\w-]+)(?:=(\S*))?\s+/.exec(rest);
    if (match === null) return { flags, rest };
    flags[match[1]!] = match[2] ?? '';
    rest = rest.slice(match[0].length);
  }
}

/** An exec-form argument list (`["a", "b"]`), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const text = args.trim();
  if (!text.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`not a JSON array of strings: ${text}`);
  }
  return parsed;
}

/** `ENV` assignments of a stage, in the `KEY=value KEY2="two words"` form. */
export function stageEnv(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions) {
    if (instruction.keyword !== 'ENV') continue;
    for (const match of instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const value = match[2]!;
      env[match[1]!] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    }
  }
  return env;
}

/** The `EXPOSE`d ports of a stage. */
export function exposedPorts(stage: DockerStage): number[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'EXPOSE')
    .flatMap((instruction) => instruction.args.split(/\s+/))
    .map((port) => Number.parseInt(port, 10));
}

/** The command of the stage's `HEALTHCHECK ... CMD [...]` (exec form), if any. */
export function healthcheckCommand(stage: DockerStage): string[] | undefined {
  const instruction = stage.instructions.find((candidate) => candidate.keyword === 'HEALTHCHECK');
  if (instruction === undefined) return undefined;
  const { rest } = splitFlags(instruction.args);
  const match = /^CMD\s+(.*)$/s.exec(rest);
  if (match === null) throw new Error(`line ${instruction.line}: HEALTHCHECK without CMD`);
  const command = execForm(match[1]!);
  if (command === undefined) throw new Error(`line ${instruction.line}: HEALTHCHECK CMD must use the exec form`);
  return command;
}

/** The last `ENTRYPOINT` and `CMD` of a stage, exec form. */
export function entrypointAndCmd(stage: DockerStage): { entrypoint: string[]; cmd: string[] } {
  const last = (keyword: string) => stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1);
  const entrypoint = last('ENTRYPOINT');
  const cmd = last('CMD');
  return {
    entrypoint: entrypoint === undefined ? [] : (execForm(entrypoint.args) ?? ['/bin/sh', '-c', entrypoint.args]),
    cmd: cmd === undefined ? [] : (execForm(cmd.args) ?? ['/bin/sh', '-c', cmd.args]),
  };
}
