import cluster from 'node:cluster';
import { extname } from 'node:path';
import { startRunProfile } from '@fleet-telemetry/profiler';
import type { Logger } from 'pino';
import { ConfigError, type ServerConfig } from '../config/index.js';

/**
 * Starts the whole-run CPU profile of `monitoring.profiling_path` and returns what writes it at the
 * end of the shutdown; undefined when the config asks for none. The file is created now, so a path
 * that cannot be written stops the start-up instead of a long run's profile getting lost.
 */
export async function startRunProfileFromConfig(config: ServerConfig, logger: Logger): Promise<(() => Promise<void>) | undefined> {
  const configured = config.monitoring?.profiling_path;
  if (!configured) return undefined;
  const path = profilePathOfThisProcess(configured);
  let profile;
  try {
    profile = await startRunProfile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ path: ['monitoring', 'profiling_path'], message: `names a file that cannot be written: ${reason}` }]);
  }
  logger.info({ path }, 'cpu_profile_recording');
  return async () => {
    await profile.stopAndWrite();
    logger.info({ path }, 'cpu_profile_written');
  };
}

/**
 * Each worker of a multi-process server profiles itself: `run.cpuprofile` becomes
 * `run.worker-2.cpuprofile` in worker 2, so the workers do not write over each other's file.
 */
export function profilePathOfThisProcess(path: string, worker = cluster.isWorker ? cluster.worker?.id : undefined): string {
  if (worker === undefined) return path;
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}.worker-${worker}${extension}`;
}
