import pino from 'pino';
import type { Progress, Summary } from '../options.js';
import { runSimulation } from '../simulation.js';
import { parseCliArgs, usage, type CliOptions } from './args.js';
import { formatProgress, formatSummary } from './format.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborted on the first Ctrl-C: stop sending and summarise. */
  readonly signal?: AbortSignal;
}

/** Exit codes: 0 every frame acked, 1 something went wrong during the run, 2 bad usage or setup. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

/** The whole command: parse, run with live progress, print the summary, return the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseCliArgs(argv);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${usage}`);
    return ExitCode.usage;
  }
  if (cli.help) {
    io.stdout.write(usage);
    return ExitCode.ok;
  }
  const interactive = io.stderr.isTTY === true;
  const showProgress = (progress: Progress): void => {
    if (interactive) io.stderr.write(`\r\x1b[2K${formatProgress(progress)}`);
    else io.stderr.write(`${formatProgress(progress)}\n`);
  };
  let summary: Summary;
  try {
    summary = await runSimulation({
      ...cli.simulation,
      signal: io.signal,
      logger: pino({ level: cli.logLevel }, pino.destination(2)),
      ...(cli.quiet ? {} : { onProgress: showProgress, progressIntervalMs: interactive ? 250 : 5_000 }),
    });
  } catch (error) {
    if (interactive && !cli.quiet) io.stderr.write('\n');
    io.stderr.write(`fleet-telemetry-sim: ${(error as Error).message}\n`);
    return ExitCode.usage;
  }
  if (interactive && !cli.quiet) io.stderr.write('\n');
  io.stdout.write(cli.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`);
  return summary.ok ? ExitCode.ok : ExitCode.failed;
}
