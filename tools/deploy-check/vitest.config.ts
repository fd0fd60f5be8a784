import { projectConfig } from '../../tools/build/vitest.base.ts';

// The image build check installs and builds a copy of the repository: minutes, not seconds.
export default projectConfig({ testTimeout: 120_000, hookTimeout: 900_000 });
