import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DevPki } from '@fleet-telemetry/dev-pki';
import { runSimulation, type Progress, type SimulationOptions, type Summary } from '@fleet-telemetry/vehicle-sim';
import { freePort, httpGet, spawnServer, type ServerProcess } from './process/harness.js';

/** A server process started from a config file, with the addresses a test talks to. */
export interface RunningServerProcess {
  readonly server: ServerProcess;
  readonly url: string;
  readonly statusUrl: string;
  readonly metricsUrl: string;
}

/**
 * Writes `<directory>/<name>.json` (listening on free ports, JSON logs, the PKI's certificates,
 * namespace `tesla`, then `config`) and runs the server from it until it logs that it started.
 */
export async function startServerProcess(directory: string, name: string, pki: DevPki, config: Record<string, unknown>): Promise<RunningServerProcess> {
  const [port, statusPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const configPath = join(directory, `${name}.json`);
  writeFileSync(
    configPath,
    JSON.stringify({
      host: '127.0.0.1',
      port,
      status_port: statusPort,
      log_level: 'info',
      json_log_enable: true,
      namespace: 'tesla',
      monitoring: { prometheus_metrics_port: metricsPort },
      tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: pki.chainFile },
      ...config,
    }),
  );
  const server = spawnServer([`-config=${configPath}`]);
  try {
    await server.waitForLine(/"msg":"started"/, 90_000);
  } catch (error) {
    server.child.kill('SIGKILL');
    throw error;
  }
  return {
    server,
    url: `wss://127.0.0.1:${port}`,
    statusUrl: `http://127.0.0.1:${statusPort}/status`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
  };
}

/** Simulated vehicles against the server: 20 frames per second each, a fixed seed. */
export function simulate(target: RunningServerProcess, pki: DevPki, options: SimulationOptions): Promise<Summary> {
  return runSimulation({ url: target.url, caFile: pki.caFile, rate: 20, timeoutMs: 30_000, seed: 11, ...options });
}

/** SIGTERM, and the exit code once the process is gone. */
export async function stopServerProcess(target: RunningServerProcess): Promise<number | null> {
  if (target.server.child.exitCode !== null) return target.server.child.exitCode;
  target.server.child.kill('SIGTERM');
  return target.server.exited;
}

/** The sum of a metric's samples in the server's /metrics whose labels include `labels`. */
export async function metricValue(target: RunningServerProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = (await httpGet(target.metricsUrl)).body;
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    if (!wanted.every((label) => (match[2] ?? '').includes(label))) continue;
    total += Number(match[3]);
  }
  return total;
}

/** Checks `accept` every 100 ms until it holds; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, accept: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await accept()) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The simulator's latest progress report, and ways to wait for one; pass `options` to
 * `runSimulation` (reports every 50 ms).
 */
export function progressTracker() {
  let latest: Progress | undefined;
  const listeners = new Set<() => void>();
  const wait = (accept: (progress: Progress) => boolean, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`the simulator did not report the expected progress; last: ${JSON.stringify(latest)}`));
      }, timeoutMs);
      const check = () => {
        if (latest === undefined || !accept(latest)) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      check();
    });
  return {
    get latest() {
      return latest;
    },
    options: {
      progressIntervalMs: 50,
      onProgress: (progress: Progress) => {
        latest = progress;
        for (const listener of listeners) listener();
      },
    },
    until: wait,
    /** The next report after this call, so a count read afterwards is current. */
    next() {
      const seen = latest;
      return wait((progress) => progress !== seen);
    },
  };
}
