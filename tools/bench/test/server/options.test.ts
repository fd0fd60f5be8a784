import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../src/server/options.js';

describe('parseBenchArgs', () => {
  it('defaults to the documented benchmark: 3 runs, 1,000 vehicles, 10 s windows, 10,000 idle sockets, pinned', () => {
    const options = parseBenchArgs([]);
    expect(options.plan).toMatchObject({
      runs: 3,
      vehicles: 1000,
      windowMs: 10_000,
      settleMs: 3_000,
      maxRatePerVehicle: undefined,
      idleConnections: 10_000,
      memoryRuns: 3,
    });
    expect(options).toMatchObject({ pin: true, sources: false, reliableAck: false, host: '127.0.0.1', strict: false });
  });

  it('takes every option, and the `--` pnpm passes through', () => {
    const options = parseBenchArgs([
      '--',
      '--runs', '5', '--vehicles', '200', '--seconds', '20', '--settle', '0', '--rate', '40',
      '--idle', '0', '--memory-runs', '1', '--no-pin', '--sources', '--reliable-ack', '--profile', '/tmp/p',
      '--json', 'out.json', '--strict',
    ]);
    expect(options.plan).toMatchObject({
      runs: 5,
      vehicles: 200,
      windowMs: 20_000,
      settleMs: 0,
      maxRatePerVehicle: 40,
      idleConnections: 0,
      memoryRuns: 1,
      profileDir: '/tmp/p',
      calibrationWindowMs: 5_000,
    });
    expect(options).toMatchObject({ pin: false, sources: true, reliableAck: true, jsonFile: 'out.json', strict: true });
  });

  it('rejects values that cannot describe a run', () => {
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow(/--runs must be a whole number > 0/);
    expect(() => parseBenchArgs(['--vehicles', '1.5'])).toThrow(/--vehicles/);
    expect(() => parseBenchArgs(['--rate=-3'])).toThrow(/--rate must be a positive number/);
    expect(() => parseBenchArgs(['--idle', 'many'])).toThrow(/--idle must be a whole number ≥ 0/);
    expect(() => parseBenchArgs(['--colour'])).toThrow(/colour/);
  });
});
