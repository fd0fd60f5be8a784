import { projectConfig } from '../../tools/build/vitest.base.ts';

export default projectConfig({
  // Broker-backed files each start their own Kafka (a JVM): one at a time on a small machine.
  fileParallelism: false,
  hookTimeout: 120_000,
  testTimeout: 60_000,
});
