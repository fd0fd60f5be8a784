import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDevPki } from '@fleet-telemetry/dev-pki';
import type { ImageRecipe } from './image-recipe.js';
import { freePort, httpGet, type HttpAnswer } from './net.js';
import { cleanEnvironment, startWatchedProcess } from './processes.js';

export interface RunDeployableOptions {
  readonly recipe: ImageRecipe;
  /** The built deployable (the image's working directory). */
  readonly directory: string;
  /** Where the PKI and the config are written. */
  readonly workDirectory: string;
  readonly repositoryRoot: string;
  readonly startTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
}

export interface DeployableRun {
  /** The config the server ran with. */
  readonly config: Record<string, unknown>;
  readonly status: HttpAnswer;
  /** `GET /status` on the mTLS port with a vehicle certificate. */
  readonly mtlsStatus: HttpAnswer;
  readonly metrics: HttpAnswer;
  /** Exit status of the image's HEALTHCHECK command while the server ran, and after it stopped. */
  readonly healthcheckWhileRunning: number | null;
  readonly healthcheckAfterStop: number | null;
  /** Exit code after SIGTERM (a signal name if it was killed). */
  readonly exitCode: number | NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly startMs: number;
  readonly stopMs: number;
}

/**
 * Starts the deployable the way the image does (its entry file with the image's CMD, the image's
 * ENV, from its working directory) with a config on the development PKI that routes records to
 * the logger sink; probes the status port, the mTLS port and /metrics; runs the image's
 * HEALTHCHECK command; then stops it with SIGTERM.
 */
export async function runDeployable(options: RunDeployableOptions): Promise<DeployableRun> {
  const { recipe } = options;
  const pki = await createDevPki(join(options.workDirectory, 'pki'), { vehicles: 1 });
  const ports = { listener: await freePort(), status: await freePort(), metrics: await freePort() };
  const config = {
    host: '127.0.0.1',
    port: ports.listener,
    status_port: ports.status,
    log_level: 'info',
    json_log_enable: true,
    namespace: 'tesla',
    monitoring: { prometheus_metrics_port: ports.metrics, prometheus_metrics_host: '127.0.0.1' },
    records: { V: ['logger'], alerts: ['logger'], errors: ['logger'], connectivity: ['logger'] },
    tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: pki.chainFile },
  };
  const configDirectory = join(options.workDirectory, 'config');
  mkdirSync(configDirectory, { recursive: true });
  const configPath = join(configDirectory, 'config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));

  // The image's ENV; STATUS_PORT, read by the health check, follows the config as a user would set it.
  const env = cleanEnvironment(options.repositoryRoot, {
    ...recipe.env,
    ...('STATUS_PORT' in recipe.env ? { STATUS_PORT: String(ports.status) } : {}),
  });
  const args = recipe.cmd.map((arg) => (/^--?config[=]/.test(arg) ? `-config=${configPath}` : arg));
  if (!args.includes(`-config=${configPath}`)) throw new Error(`the image's CMD ${JSON.stringify(recipe.cmd)} names no -config=`);

  let started = performance.now();
  const server = startWatchedProcess(join(options.directory, recipe.entryFile), args, { cwd: options.directory, env });
  try {
    await server.waitForLine(/"msg":"started"/, options.startTimeoutMs ?? 60_000);
    const startMs = performance.now() - started;

    const vehicle = pki.vehicles[0]!;
    const status = await httpGet(`http://127.0.0.1:${ports.status}/status`);
    const mtlsStatus = await httpGet(`https://127.0.0.1:${ports.listener}/status`, {
      cert: readFileSync(vehicle.certFile),
      key: readFileSync(vehicle.keyFile),
      ca: readFileSync(pki.caFile),
    });
    const metrics = await httpGet(`http://127.0.0.1:${ports.metrics}/metrics`);
    const healthcheckWhileRunning = runHealthcheck(recipe, env, options.directory);

    started = performance.now();
    server.child.kill('SIGTERM');
    const exitCode = await withTimeout(server.exited, options.stopTimeoutMs ?? 30_000, 'the server to exit after SIGTERM');
    const stopMs = performance.now() - started;
    const healthcheckAfterStop = runHealthcheck(recipe, env, options.directory);
    return {
      config,
      status,
      mtlsStatus,
      metrics,
      healthcheckWhileRunning,
      healthcheckAfterStop,
      exitCode,
      stdout: server.stdout(),
      stderr: server.stderr(),
      startMs,
      stopMs,
    };
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
}

function runHealthcheck(recipe: ImageRecipe, env: NodeJS.ProcessEnv, cwd: string): number | null {
  const [command, ...args] = recipe.healthcheck ?? [];
  if (command === undefined) return null;
  // The image's `node` is this Node.js.
  const executable = command === 'node' ? process.execPath : command;
  return spawnSync(executable, args, { cwd, env, timeout: 30_000 }).status;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
