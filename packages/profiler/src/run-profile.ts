import { open, type FileHandle } from 'node:fs/promises';
import { startCpuProfile, type RunningCpuProfile } from './cpu-profile.js';

/** A whole-run CPU profile: started at start-up, written to its file at shutdown. */
export interface RunProfile {
  readonly path: string;
  /** Stops the recording and writes the `.cpuprofile` JSON to `path`. */
  stopAndWrite(): Promise<void>;
}

/** 100 Hz, as Go's profiler: a run can last days, and every sample stays in memory until the end. */
const RUN_SAMPLING_INTERVAL_MICROS = 10_000;

/**
 * Opens (creates or truncates) `path` first, so a path that cannot be written fails at start-up
 * rather than after a long run, then starts recording.
 */
export async function startRunProfile(path: string, options: { samplingIntervalMicros?: number } = {}): Promise<RunProfile> {
  const file: FileHandle = await open(path, 'w');
  let recording: RunningCpuProfile;
  try {
    recording = await startCpuProfile({ samplingIntervalMicros: options.samplingIntervalMicros ?? RUN_SAMPLING_INTERVAL_MICROS });
  } catch (error) {
    await file.close();
    throw error;
  }
  let written: Promise<void> | undefined;
  return {
    path,
    stopAndWrite: () =>
      (written ??= (async () => {
        try {
          const profile = await recording.stop();
          await file.writeFile(JSON.stringify(profile));
        } finally {
          await file.close();
        }
      })()),
  };
}
