import { defineConfig, type Options } from 'tsup';

/**
 * The one way every library builds: ESM + CJS + type declarations from src/index.ts,
 * dependencies left external so consumers dedupe them.
 */
export function libraryConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    ...overrides,
  });
}
