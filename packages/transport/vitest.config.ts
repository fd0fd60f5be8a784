import { projectConfig } from '../../tools/build/vitest.base.ts';

// Real TLS sockets and certificate generation: generous limits for a loaded two-core machine.
export default projectConfig({ testTimeout: 30_000, hookTimeout: 60_000 });
