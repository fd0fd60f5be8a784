import { describe, expect, it } from 'vitest';
import { areaOf, formatProfileSummary, summarizeCpuProfile, type CpuProfile } from '../../src/server/profile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)') },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('process', 'file:///repo/packages/transport/dist/index.js', 41) },
    { id: 4, callFrame: frame('_write', 'file:///repo/node_modules/.pnpm/ws@8.23.0/node_modules/ws/lib/receiver.js', 95) },
    { id: 5, callFrame: frame('(garbage collector)') },
    { id: 6, callFrame: frame('', 'node:internal/tls/wrap', 9) },
    // A second node of the same function (another call path) adds to the same entry.
    { id: 7, callFrame: frame('process', 'file:///repo/packages/transport/dist/index.js', 41) },
  ],
  samples: [2, 3, 4, 3, 5, 6, 7, 2, 3],
  timeDeltas: [500, 100, 50, 100, 30, 20, 100, 1500, 0],
};

describe('summarizeCpuProfile', () => {
  const summary = summarizeCpuProfile(profile);

  it('separates idle time from busy time', () => {
    expect(summary.idleMs).toBeCloseTo(2);
    expect(summary.busyMs).toBeCloseTo(0.4);
  });

  it('sums self time per function across call paths, largest first, with shares of busy time', () => {
    expect(summary.functions[0]).toEqual({ name: 'process packages/transport/dist/index.js:42', selfMs: 0.3, share: 0.75 });
    expect(summary.functions.map((entry) => entry.name)).toEqual([
      'process packages/transport/dist/index.js:42',
      '_write ws/lib/receiver.js:96',
      '(garbage collector)',
      '(anonymous) node:internal/tls/wrap:10',
    ]);
  });

  it('groups self time by package and Node module', () => {
    expect(summary.areas.map((entry) => [entry.name, entry.selfMs])).toEqual([
      ['packages/transport', 0.3],
      ['ws', 0.05],
      ['(garbage collector)', 0.03],
      ['node:tls', 0.02],
    ]);
  });

  it('keeps only the top entries asked for', () => {
    expect(summarizeCpuProfile(profile, 2).functions).toHaveLength(2);
  });

  it('formats both lists with shares', () => {
    const text = formatProfileSummary('ours', summary);
    expect(text).toContain('ours: 0 ms busy, 17% of the profiled time');
    expect(text).toMatch(/75\.0%\s+0 ms {2}packages\/transport/);
  });
});

describe('areaOf', () => {
  it('names npm packages, scoped or not, wherever pnpm put them', () => {
    expect(areaOf('file:///r/node_modules/.pnpm/@opentelemetry+sdk-metrics@2.12.1/node_modules/@opentelemetry/sdk-metrics/build/src/x.js', 'f')).toBe(
      '@opentelemetry/sdk-metrics',
    );
    expect(areaOf('file:///r/node_modules/pino/pino.js', 'f')).toBe('pino');
  });

  it('names workspace packages by their folder', () => {
    expect(areaOf('file:///r/packages/codec/src/envelope/decode.ts', 'f')).toBe('packages/codec');
    expect(areaOf('file:///r/tools/bench/src/server/target/echo.ts', 'f')).toBe('tools/bench');
  });

  it('groups Node internals by module and leaves V8 entries alone', () => {
    expect(areaOf('node:internal/streams/readable', 'f')).toBe('node:streams');
    expect(areaOf('node:events', 'f')).toBe('node:events');
    expect(areaOf('', '(program)')).toBe('(program)');
    expect(areaOf('', 'writev')).toBe('(native)');
  });
});
