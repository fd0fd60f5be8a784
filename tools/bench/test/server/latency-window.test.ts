import { LatencyHistogram } from '@fleet-telemetry/vehicle-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { LatencyWindow } from '../../src/server/load/latency-window.js';

describe('LatencyWindow', () => {
  const window = new LatencyWindow();
  let uninstall: (() => void) | undefined;
  afterEach(() => uninstall?.());

  it('records what the simulator’s histograms record, only while open', () => {
    uninstall = window.install();
    const simulator = new LatencyHistogram();
    simulator.record(500); // during the ramp: not in the window
    window.open();
    for (let ms = 1; ms <= 100; ms++) simulator.record(ms);
    const inWindow = window.close();
    simulator.record(900); // after the window

    expect(simulator.count).toBe(102);
    expect(inWindow.count).toBe(100);
    expect(inWindow.p50).toBeCloseTo(50, 0);
    expect(inWindow.p99).toBeCloseTo(99, 0);
    expect(inWindow.max).toBeCloseTo(100, 0);
    expect(window.close().count).toBe(0);
  });

  it('leaves the simulator’s histogram as it was once uninstalled', () => {
    const original = LatencyHistogram.prototype.record;
    window.install()();
    expect(LatencyHistogram.prototype.record).toBe(original);
  });
});
