import { accessSync, constants } from 'node:fs';
import { createTlsOptions, type TelemetryTlsOptions } from '@fleet-telemetry/transport';
import { ConfigError, type ConfigProblem, type ServerConfig } from '../config/index.js';

/**
 * The listener's TLS options from `tls` and `use_default_eng_ca`. Unreadable or unusable files are
 * reported as config errors naming the key that points at them.
 */
export function tlsOptionsFromConfig(config: ServerConfig): TelemetryTlsOptions {
  const tls = config.tls;
  if (tls === undefined) throw new ConfigError([{ path: ['tls'], message: 'is required' }]);
  const files: [keyof NonNullable<ServerConfig['tls']>, string | undefined][] = [
    ['server_cert', tls.server_cert],
    ['server_key', tls.server_key],
    ['ca_file', tls.ca_file],
  ];
  const problems: ConfigProblem[] = [];
  for (const [key, path] of files) {
    if (!path) continue;
    try {
      accessSync(path, constants.R_OK);
    } catch (error) {
      problems.push({ path: ['tls', key], message: `names a file that cannot be read: ${reason(error)}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  try {
    return createTlsOptions({
      serverCert: tls.server_cert,
      serverKey: tls.server_key,
      ...(tls.ca_file ? { caFile: tls.ca_file } : {}),
      useEngCa: config.use_default_eng_ca === true,
    });
  } catch (error) {
    // The files were readable, so what fails here is parsing the extra client CAs.
    if (!tls.ca_file) throw error;
    throw new ConfigError([{ path: ['tls', 'ca_file'], message: `holds no usable CA certificate: ${reason(error)}` }]);
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
