#!/usr/bin/env node
// Runs the image build without Docker and starts the result, printing each step's time:
//   pnpm --filter @fleet-telemetry/deploy-check exec tsx src/cli.ts [--revision <commit>] [--keep]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDeployable } from './build-deployable.js';
import { repositoryRoot } from './repository.js';
import { runDeployable } from './run-deployable.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { revision: { type: 'string', default: 'HEAD' }, keep: { type: 'boolean', default: false } },
  });
  const root = repositoryRoot(process.cwd());
  const workDirectory = mkdtempSync(join(tmpdir(), 'ft-deploy-check-'));
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  try {
    const started = performance.now();
    console.log(`building ${values.revision} of ${root} in ${workDirectory}`);
    const built = await buildDeployable({ repositoryRoot: root, workDirectory, revision: values.revision });
    console.log(`copy ${seconds(built.exportMs)}, build script ${seconds(built.buildMs)} (log: ${built.logFile})`);
    const run = await runDeployable({ recipe: built.recipe, directory: built.directory, workDirectory, repositoryRoot: root });
    console.log(`start ${seconds(run.startMs)}: status ${run.status.status} ${run.status.body}, mTLS ${run.mtlsStatus.status} ${run.mtlsStatus.body}, /metrics ${run.metrics.status}`);
    console.log(`health check ${run.healthcheckWhileRunning} while running, ${run.healthcheckAfterStop} after stop`);
    console.log(`stop ${seconds(run.stopMs)}: exit ${run.exitCode}; total ${seconds(performance.now() - started)}`);
    const healthy =
      run.status.status === 200 &&
      run.mtlsStatus.status === 200 &&
      run.metrics.status === 200 &&
      run.healthcheckWhileRunning === 0 &&
      run.exitCode === 0;
    return healthy ? 0 : 1;
  } finally {
    if (values.keep) console.log(`kept ${workDirectory}`);
    else rmSync(workDirectory, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
