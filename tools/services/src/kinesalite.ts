import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess } from './managed-process.js';
import { freePort, isListening, waitFor } from './ports.js';

export interface KinesaliteOptions {
  /** Port on 127.0.0.1 (default: a free port). */
  port?: number;
  /**
   * LevelDB directory: streams and records survive `stop()` / `start()` like a real service's.
   * Default a fresh temporary directory, removed by `destroy()`.
   */
  dataDir?: string;
  /** Keep everything in memory instead: a restart then loses every stream. Default false. */
  inMemory?: boolean;
  /** Shards the server allows in total before it reports LimitExceeded. Default 50. */
  shardLimit?: number;
  startTimeoutMs?: number;
}

export interface Kinesalite {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** The LevelDB directory, or undefined when in memory. */
  readonly dataDir: string | undefined;
  readonly logFile: string;
  /** Stops the server; with a data directory, `start()` brings the same streams back. */
  stop(): Promise<void>;
  /** Starts a stopped server again on the same port (and data). */
  start(): Promise<void>;
  /** Stops the server and removes its temporary directory. */
  destroy(): Promise<void>;
}

/**
 * Runs kinesalite (an implementation of the Kinesis Data Streams API) as a child process on
 * 127.0.0.1, so tests can stop and restart it like a real service. Stream state changes
 * (create, delete, update) complete at once.
 */
export async function startKinesalite(options: KinesaliteOptions = {}): Promise<Kinesalite> {
  const port = options.port ?? (await freePort());
  const workDir = mkdtempSync(join(tmpdir(), 'fleet-telemetry-kinesalite-'));
  const dataDir = options.inMemory ? undefined : (options.dataDir ?? join(workDir, 'data'));
  const logFile = join(workDir, 'kinesalite.log');
  const server = new ManagedProcess({
    name: 'kinesalite',
    command: process.execPath,
    args: ['-e', launcherScript(), kinesaliteEntry(), JSON.stringify(serverOptions(port, dataDir, options.shardLimit ?? 50))],
    logFile,
  });
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const start = async () => {
    server.start();
    await server.waitForOutput(/Listening at/, timeoutMs);
    await waitFor(`kinesalite on 127.0.0.1:${port}`, () => isListening(port), timeoutMs);
  };
  try {
    await start();
  } catch (error) {
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    logFile,
    stop: () => server.stop(),
    start,
    destroy: async () => {
      await server.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

function serverOptions(port: number, dataDir: string | undefined, shardLimit: number) {
  return {
    port,
    ...(dataDir === undefined ? {} : { path: dataDir }),
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit,
  };
}

// kinesalite's own CLI listens on every interface; this one binds 127.0.0.1 only, and exits with its parent.
function launcherScript(): string {
  return `
const [entry, json] = process.argv.slice(1);
const options = JSON.parse(json);
const server = require(entry)(options).listen(options.port, '127.0.0.1', () => {
  console.log('Listening at http://127.0.0.1:' + server.address().port);
});
// A test run that dies without stopping the server must not leave it behind.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 1000).unref();
`;
}

function kinesaliteEntry(): string {
  // Works from the ESM sources and from the CommonJS build alike.
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  try {
    return createRequire(here).resolve('kinesalite');
  } catch {
    throw new Error(`kinesalite is not installed: add it with \`pnpm add -D kinesalite@3.3.3\` next to ${here}`);
  }
}
