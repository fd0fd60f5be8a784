import { RecordRouter } from '@fleet-telemetry/sink-api';
import { describe, expect, it } from 'vitest';
import { defaultSocketLimits, maxTrackedVins, resolveSocketLimits, TelemetryServer } from '../src/index.js';

describe('server options', () => {
  const tls = {};
  const dispatcher = new RecordRouter({ routes: {} });

  it('tracks at most 20 VINs', () => {
    const vins = (count: number): string[] => Array.from({ length: count }, (_, index) => `VIN${index}`);
    expect(maxTrackedVins).toBe(20);
    expect(() => new TelemetryServer({ tls, dispatcher, vinsSignalTracking: vins(21) })).toThrow(/at most 20/);
    const server = new TelemetryServer({ tls, dispatcher, vinsSignalTracking: vins(20) });
    void server.close();
  });

  it('fills in default limits and refuses unusable ones', () => {
    expect(resolveSocketLimits()).toEqual(defaultSocketLimits);
    expect(resolveSocketLimits({ pingIntervalMs: 10 })).toEqual({ ...defaultSocketLimits, pingIntervalMs: 10 });
    expect(() => resolveSocketLimits({ maxPendingAcks: 0 })).toThrow(/maxPendingAcks/);
    expect(() => resolveSocketLimits({ idleTimeoutMs: 1.5 })).toThrow(/idleTimeoutMs/);
    // Frames just over the size rule must still be readable, to be answered.
    expect(() => resolveSocketLimits({ maxFrameBytes: 2_000_000 })).toThrow(/maxPayloadBytes/);
  });
});
