import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { AirbrakeNotifier, type NotifierLogger } from '@fleet-telemetry/airbrake';
import { AIRBRAKE_PROJECT_KEY_ENV, ConfigError, type ConfigProblem, type ServerConfig } from '../config/index.js';

/**
 * The notifier for the `airbrake` section, or undefined without one. The project key comes from
 * AIRBRAKE_PROJECT_KEY when set, else from `airbrake.project_key` (the reference's order). Files
 * named in `airbrake.tls` that cannot be read are config errors naming their key.
 */
export function airbrakeFromConfig(
  config: ServerConfig,
  env: Readonly<Record<string, string | undefined>>,
  logger?: NotifierLogger,
): AirbrakeNotifier | undefined {
  const airbrake = config.airbrake;
  if (airbrake === undefined) return undefined;
  const projectKey = env[AIRBRAKE_PROJECT_KEY_ENV] || airbrake.project_key;
  // The config check requires both; this guards callers that skipped it.
  if (!projectKey) throw new ConfigError([{ path: ['airbrake', 'project_key'], message: `is required (or set ${AIRBRAKE_PROJECT_KEY_ENV})` }]);
  if (airbrake.project_id === undefined) throw new ConfigError([{ path: ['airbrake', 'project_id'], message: 'is required' }]);

  const problems: ConfigProblem[] = [];
  const read = (key: 'ca_file' | 'server_cert' | 'server_key') => {
    const path = airbrake.tls?.[key];
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      problems.push({ path: ['airbrake', 'tls', key], message: `names a file that cannot be read: ${error instanceof Error ? error.message : String(error)}` });
      return undefined;
    }
  };
  const ca = read('ca_file');
  const cert = read('server_cert');
  const key = read('server_key');
  if (problems.length > 0) throw new ConfigError(problems);

  return new AirbrakeNotifier({
    host: airbrake.host,
    projectId: airbrake.project_id,
    projectKey,
    environment: airbrake.environment,
    // An extra CA adds to Node's trusted roots rather than replacing them.
    tls: { ...(ca ? { ca: [...rootCertificates, ca.toString('utf8')].join('\n') } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) },
    logger,
  });
}
