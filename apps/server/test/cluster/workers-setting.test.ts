import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../src/cli/args.js';
import { resolveWorkerCount } from '../../src/cluster/worker-count.js';
import { ConfigError, parseServerConfig } from '../../src/config/index.js';
import { loggerOnlyCatalog, validConfig } from '../config/helpers.js';

function configErrors(workers: unknown): string[] {
  try {
    parseServerConfig(JSON.stringify({ ...validConfig(), workers }), { sinks: loggerOnlyCatalog, source: 'config.json' });
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('the workers setting', () => {
  it('runs one process unless told otherwise; the flag wins over the config; 0 means one per CPU', () => {
    expect(resolveWorkerCount(undefined, undefined, 8)).toBe(1);
    expect(resolveWorkerCount(undefined, 3, 8)).toBe(3);
    expect(resolveWorkerCount(2, 3, 8)).toBe(2);
    expect(resolveWorkerCount(1, 3, 8)).toBe(1);
    expect(resolveWorkerCount(undefined, 0, 8)).toBe(8);
    expect(resolveWorkerCount(0, 4, 6)).toBe(6);
  });

  it('accepts whole numbers from 0 in the config', () => {
    expect(configErrors(0)).toEqual([]);
    expect(configErrors(4)).toEqual([]);
  });

  it.each([
    [-1, 'config error: workers must be >= 0'],
    [1.5, 'config error: workers must be integer, got 1.5'],
    ['auto', 'config error: workers must be integer, got "auto"'],
    [5000, 'config error: workers must be <= 1024'],
  ])('rejects workers = %j, naming the key', (workers, message) => {
    expect(configErrors(workers)).toEqual([expect.stringContaining(message)]);
    expect(configErrors(workers)[0]).toMatch(/\(config\.json:\d+:\d+\)$/);
  });

  it.each([
    [['--workers', '4'], 4],
    [['--workers=0'], 0],
    [['-workers', '2', '-config=x.json'], 2],
  ])('reads the --workers flag from %j', (args, workers) => {
    expect(parseCommandLine(args).workers).toBe(workers);
  });

  it('leaves workers unset without the flag, and rejects a value that is not a count', () => {
    expect(parseCommandLine([])).not.toHaveProperty('workers');
    expect(() => parseCommandLine(['--workers'])).toThrow('flag needs an argument: -workers');
    expect(() => parseCommandLine(['--workers=auto'])).toThrow(UsageError);
    expect(() => parseCommandLine(['--workers', '-1'])).toThrow('-workers must be a whole number from 0 (one per CPU) to 1024, got -1');
    expect(() => parseCommandLine(['--workers=2000'])).toThrow(/got 2000$/);
  });
});
