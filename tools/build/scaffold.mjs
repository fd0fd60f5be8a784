#!/usr/bin/env node
// Creates a new library with the workspace's standard layout:
//   node tools/build/scaffold.mjs packages/<dir> @fleet-telemetry/<name> "description" [--private]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const [dir, name, description = '', flag] = process.argv.slice(2);
if (!dir || !name) {
  console.error('usage: scaffold.mjs <dir> <package name> [description] [--private]');
  process.exit(2);
}
const root = relative(dir, '.') || '.';
const conditions = {
  import: { types: './dist/index.d.ts', default: './dist/index.js' },
  require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
};
const pkg = {
  name,
  version: '0.1.0',
  description,
  ...(flag === '--private' ? { private: true } : {}),
  license: 'Apache-2.0',
  type: 'module',
  sideEffects: false,
  exports: {
    '.': { '@fleet-telemetry/source': './src/index.ts', ...conditions },
    './package.json': './package.json',
  },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'README.md'],
  publishConfig: { exports: { '.': conditions, './package.json': './package.json' } },
  scripts: {
    build: 'tsup',
    test: 'vitest run',
    lint: 'eslint src test',
    typecheck: 'tsc --noEmit -p tsconfig.json',
  },
  engines: { node: '>=20.19' },
};
const write = (file, text) => {
  const path = join(dir, file);
  if (!existsSync(path)) writeFileSync(path, text);
};
mkdirSync(join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'test'), { recursive: true });
write('package.json', JSON.stringify(pkg, null, 2) + '\n');
write('tsconfig.json', JSON.stringify({ extends: `${root}/tsconfig.base.json`, include: ['src', 'test', '*.config.ts'] }, null, 2) + '\n');
write('tsup.config.ts', `import { libraryConfig } from '${root}/tools/build/tsup.base.ts';\n\nexport default libraryConfig();\n`);
write('vitest.config.ts', `import { projectConfig } from '${root}/tools/build/vitest.base.ts';\n\nexport default projectConfig();\n`);
write('README.md', `# ${name}\n\n${description}\n`);
write('src/index.ts', '');
