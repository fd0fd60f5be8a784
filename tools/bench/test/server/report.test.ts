import { describe, expect, it } from 'vitest';
import { nextOfferedLoad } from '../../src/server/benchmark.js';
import { formatHeadline, formatLoadPhases, formatMemoryPhases, headline, phaseNote } from '../../src/server/report.js';
import { benchResult, loadPhase, run } from './fixtures.js';

describe('headline', () => {
  it('takes the median of the per-run ratios, not the ratio of the medians', () => {
    // Per-run ratios 0.8, 0.5, 0.9 → median 0.8; medians of acked would give 16,000 / 25,000 = 0.64.
    const summary = headline(benchResult([run(1, 16_000, 20_000, 8), run(2, 15_000, 30_000, 12), run(3, 22_500, 25_000, 30)]));
    expect(summary.load?.ratio).toBeCloseTo(0.8);
    expect(summary.load?.acked).toEqual({ ours: 16_000, echo: 25_000 });
    expect(summary.load?.p99.ours).toBe(12);
    expect(summary.load?.halfLoadPerSecond).toBe(8_000);
  });

  it('checks the product targets: ratio ≥ 0.7, p99 < 20 ms, RSS < 16 KiB per idle connection', () => {
    const met = headline(benchResult([run(1, 18_000, 20_000, 8)]));
    expect(met.checks.map((check) => [check.name, check.met])).toEqual([
      ['records/s acked, ours / echo', true],
      ['ack latency p99 at half load, ms', true],
      ['RSS per idle connection, KiB', true],
    ]);
    expect(met.checks[2]?.value).toBe(12);
    const missed = headline(benchResult([run(1, 10_000, 20_000, 25)]));
    expect(missed.checks.map((check) => check.met)).toEqual([false, false, true]);
  });

  it('estimates the capacity ratio from CPU cost per record', () => {
    const summary = headline(benchResult([run(1, 10_000, 20_000, 8)]));
    expect(summary.load?.cpuUsPerRecord).toEqual({ ours: 100, echo: 50 });
    expect(summary.load?.cpuRatio).toBeCloseTo(0.5);
  });

  it('leaves memory out when no run measured it', () => {
    const summary = headline(benchResult([run(1, 10_000, 20_000, 8, false)]));
    expect(summary.memory).toBeUndefined();
    expect(summary.checks).toHaveLength(2);
    expect(formatMemoryPhases(benchResult([run(1, 10_000, 20_000, 8, false)]))).toBe('');
  });

  it('collects every problem with where it happened', () => {
    const troubled = run(2, 10_000, 20_000, 8);
    const half = troubled.half!;
    const result = benchResult([{ ...troubled, half: { ...half, telemetry: { ...half.telemetry, problems: ['3 frames never answered'] } } }]);
    expect(headline(result).problems).toEqual(['run 2 ours half: 3 frames never answered']);
  });

  it('summarises memory-only runs without load checks', () => {
    const memoryOnly = run(1, 10_000, 20_000, 8);
    const summary = headline(benchResult([{ run: 1, memory: memoryOnly.memory }]));
    expect(summary.load).toBeUndefined();
    expect(summary.memory?.rssPerConnection.ours).toBe(12 * 1024);
    expect(summary.checks.map((check) => check.name)).toEqual(['RSS per idle connection, KiB']);
  });

  it('refuses to summarise nothing', () => {
    expect(() => headline(benchResult([]))).toThrow(/no runs/);
  });
});

describe('phaseNote', () => {
  it('flags a max-load phase that acked nearly all it was offered', () => {
    expect(phaseNote(loadPhase({ kind: 'echo', purpose: 'max', offeredPerSecond: 10_000, ackedPerSecond: 9_900 }))).toBe('not saturated');
    expect(phaseNote(loadPhase({ kind: 'echo', purpose: 'half', offeredPerSecond: 10_000, ackedPerSecond: 9_900 }))).toBe('');
  });

  it('flags a simulator that was busier than the server', () => {
    expect(phaseNote(loadPhase({ kind: 'echo', purpose: 'max', loadCpuShare: 0.97, serverCpuShare: 0.6 }))).toBe('simulator-bound');
  });

  it('flags problems', () => {
    expect(phaseNote(loadPhase({ kind: 'echo', purpose: 'half', problems: ['x'] }))).toBe('PROBLEMS');
  });
});

describe('tables', () => {
  const result = benchResult([run(1, 18_000, 20_000, 8)]);

  it('shows medians, ratios and the targets', () => {
    const text = formatHeadline(headline(result));
    expect(text).toMatch(/records\/s acked at max load\s+18,000\s+20,000\s+0\.90/);
    expect(text).toMatch(/RSS per idle connection, KiB\s+12\.0\s+8\.0/);
    expect(text).toMatch(/records\/s acked, ours \/ echo\s+0\.90\s+≥ 0\.7\s+yes/);
    expect(text).toContain('half load: 9,000 records/s offered');
  });

  it('lists every load phase and memory phase', () => {
    const lines = formatLoadPhases(result).split('\n');
    // Header, rule, four phases, then a blank line and the two-line legend of the wait and stall columns.
    expect(lines).toHaveLength(2 + 4 + 3);
    expect(lines.at(-1)).toMatch(/^stall: longest event-loop delay/);
    expect(formatMemoryPhases(result)).toMatch(/1\s+ours\s+10,000\s+95\s+213\s+12\.0\s+6\.0/);
  });

  it('leaves out the load table of a memory-only run', () => {
    expect(formatLoadPhases(benchResult([{ run: 1, memory: result.runs[0]!.memory }]))).toBe('');
  });
});

describe('nextOfferedLoad', () => {
  it('offers 25% more than a saturated server acked', () => {
    expect(nextOfferedLoad({ offeredPerSecond: 50_000, ackedPerSecond: 20_000 })).toBe(25_000);
  });

  it('doubles what a server that kept up acked', () => {
    expect(nextOfferedLoad({ offeredPerSecond: 10_000, ackedPerSecond: 9_800 })).toBe(19_600);
  });
});
