import { projectConfig } from '../../tools/build/vitest.base.ts';

export default projectConfig();
