import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPoolWorker } from '@fleet-telemetry/cluster';
import { createDevPki } from '@fleet-telemetry/dev-pki';
import { installMeterProvider } from './metrics/provider.js';

// Development entry (`pnpm start`): makes sure the git-ignored development PKI exists, then runs
// the server with config.dev.json, which points at it. Extra arguments go to the server.

const appDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = findRepositoryRoot(appDirectory);
const pkiDirectory = join(repositoryRoot, '.dev', 'pki');
const devConfig = join(appDirectory, 'config.dev.json');
const SIMULATOR_DEFAULT_PORT = 4443;

// With --workers, each worker runs this file too; the primary has made sure of the PKI already.
if (!isPoolWorker()) {
  const pki = await createDevPki(pkiDirectory);
  const pkiLabel = relative(process.cwd(), pkiDirectory) || '.';
  process.stderr.write(
    pki.written.length > 0
      ? `dev PKI created in ${pkiLabel} (root CA ${relative(process.cwd(), pki.caFile)})\n`
      : `dev PKI reused from ${pkiLabel}\n`,
  );
}

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const hasConfig = args.some((arg) => /^--?config(=|$)/.test(arg));
const metrics = installMeterProvider();
const { runCli } = await import('./cli/run.js');
const exitCode = await runCli(hasConfig ? args : [`-config=${devConfig}`, ...args], metrics, undefined, {
  onStarted: ({ logger, server }) => logger.info(`point the vehicle simulator at this server: ${simCommand(server.port)}`),
});
process.exit(exitCode);

/** The simulator dials wss://localhost:4443 with the PKI in .dev/pki unless told otherwise. */
function simCommand(port: number): string {
  const command = `${pnpmCommand()} sim --vehicles 10 --rate 5`;
  return port === SIMULATOR_DEFAULT_PORT ? command : `${command} --url wss://localhost:${port}`;
}

/** The README's way to run pnpm: through npx, at the version the repository pins. */
function pnpmCommand(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { packageManager?: string };
    return manifest.packageManager === undefined ? 'pnpm' : `npx --yes ${manifest.packageManager}`;
  } catch {
    return 'pnpm';
  }
}

function findRepositoryRoot(start: string): string {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'pnpm-workspace.yaml'))) return directory;
    if (dirname(directory) === directory) return start;
  }
}
