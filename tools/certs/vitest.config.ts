import { projectConfig } from '../../tools/build/vitest.base.ts';

// Key generation and TLS handshakes share two cores with the rest of the workspace.
export default projectConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
