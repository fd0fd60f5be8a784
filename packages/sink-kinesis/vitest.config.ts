import { projectConfig } from '../../tools/build/vitest.base.ts';

export default projectConfig({
  // Files with a kinesalite server each run their own: one file at a time on a small machine.
  fileParallelism: false,
  hookTimeout: 60_000,
  testTimeout: 30_000,
  // The AWS SDK warns once per process that its 2027 releases will need Node 22.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
});
