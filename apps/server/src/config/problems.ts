/** A path into the config document: object keys and array indices. */
export type ConfigPath = readonly (string | number)[];

export interface ConfigProblem {
  /** Where in the config, e.g. `['rate_limit', 'message_limit']`; empty for the document itself. */
  readonly path: ConfigPath;
  /** What is wrong, worded to follow the key: `must be integer`. */
  readonly message: string;
  /** 1-based position in the file, when known. */
  readonly line?: number;
  readonly column?: number;
}

const plainKey = /^[A-Za-z_$][\w$-]*$/;

/** `['records', 'V', 0]` → `records.V[0]`; keys that are not plain names are quoted: `kafka["bootstrap.servers"]`. */
export function formatConfigPath(path: ConfigPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (plainKey.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** One line naming the key: `rate_limit.message_limit must be integer (config.json:12:22)`. */
export function describeProblem(problem: ConfigProblem, source?: string): string {
  const subject = problem.path.length === 0 ? 'the config' : formatConfigPath(problem.path);
  const where =
    source !== undefined && problem.line !== undefined
      ? ` (${source}:${problem.line}:${problem.column ?? 1})`
      : '';
  return `${subject} ${problem.message}${where}`;
}

/** The config cannot be used; every problem names the key at fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly source?: string,
  ) {
    super(problems.map((problem) => `config error: ${describeProblem(problem, source)}`).join('\n'));
  }
}
