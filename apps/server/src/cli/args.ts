export interface CommandLine {
  readonly configPath: string;
  readonly help: boolean;
  /** `--workers N`: overrides the config's `workers` (0: one per CPU). */
  readonly workers?: number;
}

export const DEFAULT_CONFIG_PATH = 'config.json';
/** More server processes than this is a typo, not a machine (the config schema has the same bound). */
export const MAX_WORKERS = 1024;

export const USAGE = `usage: fleet-telemetry [-config=<path>] [--workers N]

  -config=<path>   the JSON config file (default: ${DEFAULT_CONFIG_PATH}); --config <path> works too
  --workers N      server processes sharing the port; 0: one per CPU (overrides the config's workers)
  -h, --help       this text`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Reads the reference server's flags: `-config=<path>`, in Go's spellings (`-config x`, `--config=x`). */
export function parseCommandLine(args: readonly string[]): CommandLine {
  let configPath = DEFAULT_CONFIG_PATH;
  let help = false;
  let workers: number | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const match = /^--?([\w-]+)(?:=(.*))?$/s.exec(arg);
    const flag = match?.[1];
    if (flag === 'h' || flag === 'help') {
      help = true;
    } else if (flag === 'config') {
      const value = match?.[2] ?? args[++index];
      if (value === undefined || value === '') throw new UsageError('flag needs an argument: -config');
      configPath = value;
    } else if (flag === 'workers') {
      const value = match?.[2] ?? args[++index];
      if (value === undefined || value === '') throw new UsageError('flag needs an argument: -workers');
      if (!/^\d+$/.test(value) || Number(value) > MAX_WORKERS) {
        throw new UsageError(`-workers must be a whole number from 0 (one per CPU) to ${MAX_WORKERS}, got ${value}`);
      }
      workers = Number(value);
    } else {
      throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  return { configPath, help, ...(workers === undefined ? {} : { workers }) };
}
