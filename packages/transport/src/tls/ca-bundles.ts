import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which of Tesla's public CA bundles vehicles chain to. */
export type TeslaCaEnvironment = 'prod' | 'eng';

const bundleFiles: Record<TeslaCaEnvironment, string> = {
  prod: 'tesla-prod-ca.pem',
  eng: 'tesla-eng-ca.pem',
};

const cache = new Map<TeslaCaEnvironment, string>();

/**
 * The PEM bundle of Tesla's production (or engineering) client CAs, shipped in this package's
 * `ca/` folder. The folder is found by walking up from this module, so the same code works from
 * `src/` (tests), from the bundled `dist/` (ESM and CJS) and from an installed copy.
 */
export function teslaCaBundle(environment: TeslaCaEnvironment = 'prod'): string {
  const cached = cache.get(environment);
  if (cached !== undefined) return cached;
  const pem = readFileSync(join(caDirectory(), bundleFiles[environment]), 'utf8');
  cache.set(environment, pem);
  return pem;
}

function caDirectory(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  let directory = start;
  // src/tls/ → package root is two levels up; dist/ → one: a short walk covers every layout.
  for (let depth = 0; depth < 5; depth += 1) {
    const candidate = join(directory, 'ca');
    if (existsSync(join(candidate, bundleFiles.prod)) && existsSync(join(directory, 'package.json'))) {
      return candidate;
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  throw new Error(`Tesla CA bundles not found above ${start} (the package's ca/ folder is missing)`);
}
