import { describe, expect, it } from 'vitest';
import { parseWorkersBenchArgs } from '../../src/workers/options.js';
import type { PhaseResult } from '../../src/workers/phase.js';
import { formatWorkersReport, summarizeWorkersBench } from '../../src/workers/report.js';

function phase(workers: number, run: number, ackedPerSecond: number, cores: Record<string, number>): PhaseResult {
  const offeredPerSecond = workers * 12_500;
  return { workers, run, ratePerVehicle: offeredPerSecond / 1000, offeredPerSecond, ackedPerSecond, sentPerSecond: ackedPerSecond, p50Ms: 1, p99Ms: workers * 10 + run, cores, exitCode: 0, problems: [] };
}

const results = [
  phase(1, 1, 10_000, { simulator: 0.9, server: 1.0 }),
  phase(2, 1, 15_000, { simulator: 0.8, primary: 0.1, 'worker 1': 0.6, 'worker 2': 0.5 }),
  phase(2, 2, 12_000, { simulator: 0.7, primary: 0.1, 'worker 1': 0.5, 'worker 2': 0.5 }),
  phase(1, 2, 10_000, { simulator: 0.9, server: 1.0 }),
  phase(1, 3, 8_000, { simulator: 0.9, server: 1.0 }),
  phase(2, 3, 14_000, { simulator: 0.8, primary: 0.1, 'worker 1': 0.6, 'worker 2': 0.6 }),
];

describe('summarizeWorkersBench', () => {
  const [one, two] = summarizeWorkersBench(results, [1, 2]);

  it('takes medians over the runs of each worker count', () => {
    expect(one).toMatchObject({ workers: 1, runs: 3, ackedPerSecond: 10_000, minAckedPerSecond: 8_000, maxAckedPerSecond: 10_000, p99Ms: 12 });
    expect(two).toMatchObject({ workers: 2, ackedPerSecond: 14_000, p99Ms: 22, simulatorCores: 0.8 });
  });

  it('adds up the CPU of the primary and the workers, and keeps each one apart', () => {
    // Per run 1.2, 1.1 and 1.3 cores: the median of the sums.
    expect(two?.serverCores).toBeCloseTo(1.2);
    expect(two?.processCores).toEqual({ primary: 0.1, 'worker 1': 0.6, 'worker 2': 0.5 });
    expect(one?.processCores).toEqual({ server: 1.0 });
  });

  it('takes the ratio to the reference count within each run, then their median', () => {
    expect(one?.ratios).toEqual([]);
    expect(two?.ratios).toEqual([1.5, 1.2, 1.75]);
    expect(two?.ratio).toBe(1.5);
  });

  it('prints one row per worker count with the ratio, then the CPU per process and the ratios per run', () => {
    const report = formatWorkersReport(summarizeWorkersBench(results, [1, 2]));
    const lines = report.split('\n');
    expect(lines[0]).toMatch(/^workers\s+offered\/s\s+sent\/s\s+acked records\/s\s+min\s+max\s+p99 ack ms\s+server cores\s+simulator cores\s+vs 1$/);
    expect(lines[2]).toMatch(/^\s*1\s+12,500\s+10,000\s+10,000\s+8,000\s+10,000\s+12\.0\s+1\.00\s+0\.90$/);
    expect(lines[3]).toMatch(/^\s*2\s+25,000\s+14,000\s+14,000\s+12,000\s+15,000\s+22\.0\s+1\.20\s+0\.80\s+1\.50x$/);
    expect(report).toContain('cores per process, 2 workers: primary 0.10, worker 1 0.60, worker 2 0.50');
    expect(report).toContain('2 vs 1 workers, run by run: 1.50x, 1.20x, 1.75x');
  });

  it('refuses a count without measurements', () => {
    expect(() => summarizeWorkersBench(results, [1, 4])).toThrow('no measurement with 4 workers');
  });
});

describe('parseWorkersBenchArgs', () => {
  it('compares 1 and 2 workers by default, each at its calibrated maximum', () => {
    const options = parseWorkersBenchArgs([]);
    expect(options).toMatchObject({ counts: [1, 2], runs: 3, vehicles: 1000, windowMs: 20_000, settleMs: 5_000, calibrationRatePerVehicle: 10 });
    expect(options.ratePerVehicle).toBeUndefined();
  });

  it('reads the options', () => {
    expect(parseWorkersBenchArgs(['--counts', '2,1,4', '--runs', '1', '--seconds', '5', '--rate', '12.5'])).toMatchObject({
      counts: [2, 1, 4],
      runs: 1,
      windowMs: 5_000,
      ratePerVehicle: 12.5,
    });
  });

  it('rejects what cannot be measured, naming the option', () => {
    expect(() => parseWorkersBenchArgs(['--counts', '2'])).toThrow(/--counts must list at least two different/);
    expect(() => parseWorkersBenchArgs(['--counts', '1,1'])).toThrow(/--counts/);
    expect(() => parseWorkersBenchArgs(['--runs', '0'])).toThrow('--runs must be a positive number, got 0');
    expect(() => parseWorkersBenchArgs(['--vehicles', '2.5'])).toThrow('--vehicles must be a whole number, got 2.5');
  });
});
