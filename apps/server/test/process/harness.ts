import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const appDirectory = fileURLToPath(new URL('../..', import.meta.url));

/** A port another listener holds on 127.0.0.1, for start-up failures; `release` frees it. */
export async function occupyPort(): Promise<{ port: number; release: () => void }> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const address = holder.address();
  if (typeof address !== 'object' || address === null) throw new Error('the port holder has no address');
  return { port: address.port, release: () => holder.close() };
}

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface ServerProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once the process ended and all its output was read. */
  exited: Promise<number | null>;
}

/** Runs the server from its TypeScript sources, as `nx serve` does; `env` is added to this process's. */
export function spawnServer(args: readonly string[], env: Readonly<Record<string, string>> = {}): ServerProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@fleet-telemetry/source', '--import', 'tsx', 'src/main.ts', ...args],
    { cwd: appDirectory, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', ...env } },
  );
  let stdout = '';
  let stderr = '';
  const lineWaiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const check of lineWaiters) check();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close', not 'exit': a process's last lines can still be in the pipe when it has exited.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForLine(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = stdout.split('\n').find((candidate) => pattern.test(candidate));
          if (line === undefined) return;
          finish();
          resolve(line);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no stdout line matched ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          finish();
          reject(new Error(`server exited (${code}) before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        };
        const finish = () => {
          clearTimeout(timer);
          lineWaiters.delete(check);
          child.off('close', onExit);
        };
        lineWaiters.add(check);
        child.once('close', onExit);
        check();
      });
    },
  };
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export function httpGet(url: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    httpRequest(url, (response) => collect(response, resolve, reject)).on('error', reject).end();
  });
}

export function httpsGet(url: string, options: RequestOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    httpsRequest(url, options, (response) => collect(response, resolve, reject)).on('error', reject).end();
  });
}

function collect(
  response: IncomingMessage,
  resolve: (answer: HttpAnswer) => void,
  reject: (error: Error) => void,
): void {
  let body = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (body += chunk));
  response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
  response.on('error', reject);
}

/** The JSON log lines printed so far (the server runs with json_log_enable). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
