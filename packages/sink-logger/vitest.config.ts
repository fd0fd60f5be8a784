import { defineProject } from 'vitest/config';
import { projectConfig, sourceCondition } from '../../tools/build/vitest.base.ts';

// The shared conditions include `module`, under which @opentelemetry/api resolves to bundler-only
// ESM (extensionless imports) that Node cannot load; resolve without it.
const conditions = [sourceCondition, 'import', 'node', 'default'];
const base = projectConfig();

export default defineProject({
  ...base,
  resolve: { ...base.resolve, conditions },
  ssr: { ...base.ssr, resolve: { ...base.ssr?.resolve, conditions } },
});
