import { projectConfig } from '../../tools/build/vitest.base.ts';

// Real TLS handshakes, certificate generation and CLI processes on a shared two-core machine.
export default projectConfig({ testTimeout: 30_000, hookTimeout: 60_000 });
