import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../../src/cli/args.js';

describe('parseCommandLine', () => {
  it('defaults to config.json', () => {
    expect(parseCommandLine([])).toEqual({ configPath: 'config.json', help: false });
  });

  it.each([
    [['-config=/etc/ft/config.json']],
    [['--config=/etc/ft/config.json']],
    [['-config', '/etc/ft/config.json']],
    [['--config', '/etc/ft/config.json']],
  ])('reads the config path from %j', (args) => {
    expect(parseCommandLine(args).configPath).toBe('/etc/ft/config.json');
  });

  it('keeps = signs inside the path', () => {
    expect(parseCommandLine(['-config=a=b.json']).configPath).toBe('a=b.json');
  });

  it('recognises help', () => {
    expect(parseCommandLine(['-h']).help).toBe(true);
    expect(parseCommandLine(['--help']).help).toBe(true);
  });

  it('rejects a missing value and unknown arguments', () => {
    expect(() => parseCommandLine(['-config'])).toThrow(UsageError);
    expect(() => parseCommandLine(['-config='])).toThrow('flag needs an argument: -config');
    expect(() => parseCommandLine(['--port=1'])).toThrow('unknown argument: --port=1');
    expect(() => parseCommandLine(['config.json'])).toThrow('unknown argument: config.json');
  });
});
