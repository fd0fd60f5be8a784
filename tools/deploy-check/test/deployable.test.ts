import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDeployable,
  cleanEnvironment,
  nativeKafkaClient,
  repositoryRoot,
  runDeployable,
  topLevelPackages,
  workspacePackageContents,
  type BuiltDeployable,
  type DeployableRun,
} from '../src/index.js';

const root = repositoryRoot(fileURLToPath(new URL('.', import.meta.url)));

// The image's build stage without Docker: the committed repository is copied, installed from the
// local pnpm store, built and deployed by the Dockerfile's own build script, then started. On a
// busy two-core machine the build takes one to three minutes; a cold store adds the librdkafka
// compile (about three more).
describe('the image build, run without Docker on the committed repository', () => {
  const workDirectory = mkdtempSync(join(tmpdir(), 'ft-deploy-check-'));
  let built: BuiltDeployable;
  let run: DeployableRun;

  beforeAll(async () => {
    const started = performance.now();
    built = await buildDeployable({ repositoryRoot: root, workDirectory });
    run = await runDeployable({ recipe: built.recipe, directory: built.directory, workDirectory, repositoryRoot: root });
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(
      `deploy check: copy ${seconds(built.exportMs)}, build script ${seconds(built.buildMs)}, ` +
        `start ${seconds(run.startMs)}, stop ${seconds(run.stopMs)}, total ${seconds(performance.now() - started)}`,
    );
  }, 900_000);

  afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

  it('deploys production dependencies only', () => {
    const manifest = JSON.parse(readFileSync(join(built.sourceDirectory, 'apps/server/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const packages = topLevelPackages(built.directory);
    expect(packages).toEqual(Object.keys(manifest.dependencies).sort());
    const testOnly = Object.keys(manifest.devDependencies).filter((name) => !(name in manifest.dependencies));
    expect(testOnly).toContain('@fleet-telemetry/test-services');
    for (const name of testOnly) expect(packages).not.toContain(name);
  });

  it('ships workspace packages as built (dist), without their TypeScript sources', () => {
    const contents = workspacePackageContents(built.directory);
    expect(Object.keys(contents).length).toBeGreaterThan(3);
    for (const [name, entries] of Object.entries(contents)) {
      expect(entries, name).toContain('dist');
      expect(entries, name).not.toContain('src');
      expect(entries, name).not.toContain('test');
    }
    // The transport reads Tesla's CA bundles from its ca/ folder at start-up.
    expect(contents['@fleet-telemetry/transport']).toContain('ca');
  });

  it('keeps a working node-rdkafka after pruning its build leftovers', () => {
    const kafka = nativeKafkaClient(built.directory, cleanEnvironment(root));
    expect(kafka.librdkafkaVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(kafka.features).toEqual(expect.arrayContaining(['ssl', 'sasl_scram', 'lz4']));
  });

  it('starts with a development-PKI config and answers on the status port and the mTLS port', () => {
    expect(run.status).toMatchObject({ status: 200, body: 'ok' });
    expect(run.mtlsStatus).toMatchObject({ status: 200, body: 'mtls ok' });
  });

  it('serves Prometheus metrics', () => {
    expect(run.metrics.status).toBe(200);
    expect(run.metrics.contentType).toMatch(/^text\/plain/);
    expect(run.metrics.body).toMatch(/^# TYPE uptime_sec gauge$/m);
    expect(run.metrics.body).toMatch(/^# TYPE num_connections gauge$/m);
  });

  it("passes the image's HEALTHCHECK while running and fails it once stopped", () => {
    expect(built.recipe.healthcheck).toBeDefined();
    expect(run.healthcheckWhileRunning).toBe(0);
    expect(run.healthcheckAfterStop).not.toBe(0);
  });

  it('exits 0 after SIGTERM, having drained and flushed', () => {
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/"msg":"draining_sockets"/);
    expect(run.stdout).toMatch(/"msg":"stopped"/);
  });
});
