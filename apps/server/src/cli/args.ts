export interface CommandLine {
  readonly configPath: string;
  readonly help: boolean;
}

export const DEFAULT_CONFIG_PATH = 'config.json';

export const USAGE = `usage: fleet-telemetry [-config=<path>]

  -config=<path>   the JSON config file (default: ${DEFAULT_CONFIG_PATH}); --config <path> works too
  -h, --help       this text`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Reads the reference server's flags: `-config=<path>`, in Go's spellings (`-config x`, `--config=x`). */
export function parseCommandLine(args: readonly string[]): CommandLine {
  let configPath = DEFAULT_CONFIG_PATH;
  let help = false;
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
    } else {
      throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  return { configPath, help };
}
