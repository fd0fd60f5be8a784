import { startRunProfile } from '@fleet-telemetry/profiler';
import type { Logger } from 'pino';
import { ConfigError, type ServerConfig } from '../config/index.js';

/**
 * Starts the whole-run CPU profile of `monitoring.profiling_path` and returns what writes it at the
 * end of the shutdown; undefined when the config asks for none. The file is created now, so a path
 * that cannot be written stops the start-up instead of a long run's profile getting lost.
 */
export async function startRunProfileFromConfig(config: ServerConfig, logger: Logger): Promise<(() => Promise<void>) | undefined> {
  const path = config.monitoring?.profiling_path;
  if (!path) return undefined;
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
