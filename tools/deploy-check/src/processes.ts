import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { delimiter, sep } from 'node:path';

/**
 * The environment for commands run on a copy of the repository: this process's environment
 * without what the surrounding pnpm / Nx / vitest run added (npm_* settings, NODE_ENV=test,
 * node_modules/.bin of the checkout under test), so the copy builds as a fresh shell would.
 */
export function cleanEnvironment(repositoryRoot: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|NX_|VITEST|INIT_CWD$|NODE_ENV$|NODE_OPTIONS$|TEST$)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => entry !== '' && !(entry + sep).startsWith(repositoryRoot + sep))
    .join(delimiter);
  return { ...env, ...extra };
}

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines of stdout and stderr, for error messages. */
  readonly tail: string;
}

/** Runs a command to its end, appending stdout and stderr to `logFile`. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => {
      log.end();
      reject(error);
    });
    child.once('close', (code, signal) => log.end(() => resolve({ code, signal, tail })));
  });
}

/** A long-running process whose stdout lines can be awaited. */
export interface WatchedProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The first stdout line matching `pattern`; rejects when the process exits or the time is up. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** The exit code (or the signal's name) once the process ended. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
}

export function startWatchedProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): WatchedProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
    child.once('error', () => resolve(null));
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const describe = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
        const check = () => {
          const line = stdout.split('\n').find((candidate) => pattern.test(candidate));
          if (line === undefined) return;
          finish();
          resolve(line);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no stdout line matched ${pattern} within ${timeoutMs} ms\n${describe()}`));
        }, timeoutMs);
        const onExit = () => {
          finish();
          reject(new Error(`the process exited before printing ${pattern}\n${describe()}`));
        };
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}
