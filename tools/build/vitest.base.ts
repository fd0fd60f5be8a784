import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/** Workspace packages resolve to their TypeScript sources in tests (no build step needed). */
export const sourceCondition = '@fleet-telemetry/source';

export function projectConfig(test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: [sourceCondition, 'import', 'node', 'default'] },
    ssr: { resolve: { conditions: [sourceCondition, 'import', 'node', 'default'] } },
    test: {
      include: ['test/**/*.test.ts'],
      environment: 'node',
      ...test,
    },
  });
}
