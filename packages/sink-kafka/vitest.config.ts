import { defineProject } from 'vitest/config';
import { projectConfig, sourceCondition } from '../../tools/build/vitest.base.ts';

// The shared conditions include `module`, under which @opentelemetry/api resolves to bundler-only
// ESM (extensionless imports) that Node cannot load; resolve without it.
const conditions = [sourceCondition, 'import', 'node', 'default'];
const base = projectConfig({
  // Broker-backed files each start their own Kafka (a JVM): one at a time on a small machine.
  fileParallelism: false,
  hookTimeout: 120_000,
  testTimeout: 60_000,
});

export default defineProject({
  ...base,
  resolve: { ...base.resolve, conditions },
  ssr: { ...base.ssr, resolve: { ...base.ssr?.resolve, conditions } },
});
