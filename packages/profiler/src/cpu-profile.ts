import { Session } from 'node:inspector/promises';
import type { Profiler } from 'node:inspector';

export type CpuProfile = Profiler.Profile;

export interface CpuProfileOptions {
  /** Microseconds between samples. Default: 1000 (1 kHz). */
  readonly samplingIntervalMicros?: number;
}

/** A CPU profile being recorded in this process through its own inspector session. */
export interface RunningCpuProfile {
  /** Ends the recording and returns the profile (the `.cpuprofile` format of Chrome DevTools). */
  stop(): Promise<CpuProfile>;
}

/**
 * Starts recording a CPU profile of this process. Each recording has its own inspector session, so
 * a long recording (the whole run) and short ones (the HTTP endpoint) can overlap.
 */
export async function startCpuProfile(options: CpuProfileOptions = {}): Promise<RunningCpuProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: options.samplingIntervalMicros ?? 1000 });
    await session.post('Profiler.start');
  } catch (error) {
    session.disconnect();
    throw error;
  }
  let stopped: Promise<CpuProfile> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        try {
          const { profile } = await session.post('Profiler.stop');
          return profile;
        } finally {
          session.disconnect();
        }
      })()),
  };
}
