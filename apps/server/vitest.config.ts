import { projectConfig } from '../../tools/build/vitest.base.ts';

// The process tests start real servers; on a busy machine that takes seconds.
export default projectConfig({ testTimeout: 30_000, hookTimeout: 60_000 });
