import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** What the benchmark sends a child to profile its main thread over a window. */
export type ProfileParams = { readonly action: 'start' } | { readonly action: 'stop'; readonly file: string };

let profiler: Session | undefined;

/** Starts the CPU profiler, or stops it and writes the `.cpuprofile` of what ran since. */
export async function profileWindow(params: ProfileParams): Promise<null> {
  if (params.action === 'start') {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return null;
  }
  if (profiler === undefined) throw new Error('the profiler was not started');
  const { profile: recorded } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = undefined;
  await writeFile(params.file, JSON.stringify(recorded));
  return null;
}
