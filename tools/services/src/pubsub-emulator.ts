import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process.js';
import { freePort, isListening, waitFor } from './ports.js';

/** Where the Google Cloud CLI's Debian package installs the emulator. */
export const DEFAULT_PUBSUB_EMULATOR_BIN = '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';

export interface PubSubEmulatorOptions {
  /** Port on 127.0.0.1 (default: a free port). */
  port?: number;
  /** The project the tests use; the emulator accepts any. Default `fleet-telemetry-test`. */
  projectId?: string;
  /** JVM heap, small by default: the emulator shares 2 cores with the tests. */
  heap?: string;
  startTimeoutMs?: number;
}

export interface PubSubEmulator {
  /** `127.0.0.1:<port>`, the value for `PUBSUB_EMULATOR_HOST`. */
  readonly host: string;
  readonly port: number;
  readonly projectId: string;
  readonly logFile: string;
  /** Stops the emulator. It keeps everything in memory: a restart starts with no topics. */
  stop(): Promise<void>;
  /** Starts a stopped emulator again on the same port. */
  start(): Promise<void>;
  /** Stops the emulator and removes its log directory. */
  destroy(): Promise<void>;
}

/**
 * Runs Google's Pub/Sub emulator (a Java program shipped with the Google Cloud CLI) on 127.0.0.1.
 * The binary is `$PUBSUB_EMULATOR_BIN`, else the Debian package's path.
 */
export async function startPubSubEmulator(options: PubSubEmulatorOptions = {}): Promise<PubSubEmulator> {
  const binary = pubSubEmulatorBinary();
  const port = options.port ?? (await freePort());
  const projectId = options.projectId ?? 'fleet-telemetry-test';
  const workDir = mkdtempSync(join(tmpdir(), 'fleet-telemetry-pubsub-'));
  const logFile = join(workDir, 'emulator.log');
  const heap = options.heap ?? '256m';
  const emulator = new ManagedProcess({
    name: 'pubsub-emulator',
    command: binary,
    args: ['--host=127.0.0.1', `--port=${port}`],
    // The launcher script passes these to the JVM: a small heap and a quick start.
    env: { ...process.env, CLOUD_PUBSUB_EMULATOR_OPTS: `-Xmx${heap} -XX:+UseSerialGC -XX:TieredStopAtLevel=1` },
    logFile,
  });
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  const start = async () => {
    emulator.start();
    await emulator.waitForOutput(/Server started, listening on/, timeoutMs);
    await waitFor(`the Pub/Sub emulator on 127.0.0.1:${port}`, () => answersOk(port), timeoutMs);
  };
  try {
    await start();
  } catch (error) {
    await emulator.stop();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    projectId,
    logFile,
    stop: () => emulator.stop(),
    start,
    destroy: async () => {
      await emulator.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** The emulator's launcher, or an error saying what is missing and where it was looked for. */
export function pubSubEmulatorBinary(): string {
  const fromEnv = process.env.PUBSUB_EMULATOR_BIN;
  const binary = fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_PUBSUB_EMULATOR_BIN;
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    const where = fromEnv ? `PUBSUB_EMULATOR_BIN=${fromEnv}` : `${DEFAULT_PUBSUB_EMULATOR_BIN} (set PUBSUB_EMULATOR_BIN to use another path)`;
    throw new Error(
      `the Google Cloud Pub/Sub emulator is not installed: no executable at ${where}. ` +
        'Install it with `apt-get install google-cloud-cli-pubsub-emulator` or `gcloud components install pubsub-emulator`; it needs Java 17+.',
    );
  }
  return binary;
}

/** The emulator answers `GET /` with `Ok` once it serves requests. */
async function answersOk(port: number): Promise<boolean> {
  if (!(await isListening(port))) return false;
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
    return response.ok && (await response.text()).trim() === 'Ok';
  } catch {
    return false;
  }
}
