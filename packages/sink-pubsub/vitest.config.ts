import { projectConfig } from '../../tools/build/vitest.base.ts';

export default projectConfig({
  // Files with an emulator each start their own (a JVM): one file at a time on a small machine.
  fileParallelism: false,
  hookTimeout: 180_000,
  testTimeout: 60_000,
});
