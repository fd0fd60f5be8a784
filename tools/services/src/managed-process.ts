import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface ManagedProcessOptions {
  /** Shown in errors and logs. */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where stdout and stderr go; the tail of it is quoted when the process dies early. */
  logFile: string;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

// A test run that crashes must not leave brokers behind.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** A child process with its output in a log file, stopped gracefully (SIGTERM, then SIGKILL). */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private exited: Promise<number | null> | undefined;
  private recentOutput = '';

  constructor(private readonly options: ManagedProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last few KiB of output, for error messages. */
  get outputTail(): string {
    return this.recentOutput;
  }

  start(): void {
    if (this.isRunning) throw new Error(`${this.options.name} is already running`);
    installExitHook();
    this.log = createWriteStream(this.options.logFile, { flags: 'a' });
    this.recentOutput = '';
    const child = spawn(this.options.command, this.options.args, {
      cwd: this.options.cwd,
      env: this.options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    running.add(child);
    const capture = (chunk: Buffer) => {
      this.log?.write(chunk);
      this.recentOutput = (this.recentOutput + chunk.toString('utf8')).slice(-8192);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        running.delete(child);
        resolve(code);
      });
      child.once('error', (error) => {
        running.delete(child);
        this.recentOutput += `\n${this.options.name}: ${error.message}`;
        resolve(null);
      });
    });
  }

  /** Resolves when `text` appears in the output; rejects if the process exits first or on timeout. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.recentOutput)) {
      if (!this.isRunning) throw new Error(`${this.options.name} exited before it was ready:\n${this.recentOutput.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`${this.options.name} was not ready after ${timeoutMs} ms:\n${this.recentOutput.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.isRunning) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
  }
}
