import { accessSync, constants } from 'node:fs';
import {
  readTlsMaterial,
  TlsMaterialError,
  TlsReloader,
  type TelemetryTlsOptions,
  type TlsFiles,
  type TlsReloadTarget,
} from '@fleet-telemetry/transport';
import type { Logger } from 'pino';
import { ConfigError, type ConfigProblem, type ServerConfig } from '../config/index.js';

/**
 * The listener's TLS options from `tls` and `use_default_eng_ca`. Unreadable or unusable files are
 * reported as config errors naming the key that points at them.
 */
export function tlsOptionsFromConfig(config: ServerConfig): TelemetryTlsOptions {
  const files = tlsFilesFromConfig(config);
  const tls = config.tls;
  const paths: [keyof NonNullable<ServerConfig['tls']>, string | undefined][] = [
    ['server_cert', tls?.server_cert],
    ['server_key', tls?.server_key],
    ['ca_file', tls?.ca_file],
  ];
  // Every unreadable file at once, so one start-up names them all.
  const problems: ConfigProblem[] = [];
  for (const [key, path] of paths) {
    if (!path) continue;
    try {
      accessSync(path, constants.R_OK);
    } catch (error) {
      problems.push({ path: ['tls', key], message: `names a file that cannot be read: ${reason(error)}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  try {
    return readTlsMaterial(files);
  } catch (error) {
    if (!(error instanceof TlsMaterialError)) throw error;
    throw new ConfigError([{ path: ['tls', error.file], message: error.reason }]);
  }
}

/**
 * Keeps the listener's certificate, key and client CAs in step with the files named in `tls`:
 * renewals are applied without a restart, unusable ones are logged and the current material kept.
 */
export function watchTlsFiles(
  config: ServerConfig,
  current: TelemetryTlsOptions,
  target: TlsReloadTarget,
  logger: Logger,
): TlsReloader {
  return new TlsReloader({ files: tlsFilesFromConfig(config), target, current, logger: logger.child({ component: 'tls' }) });
}

function tlsFilesFromConfig(config: ServerConfig): TlsFiles {
  const tls = config.tls;
  if (tls === undefined) throw new ConfigError([{ path: ['tls'], message: 'is required' }]);
  return {
    serverCert: tls.server_cert,
    serverKey: tls.server_key,
    ...(tls.ca_file ? { caFile: tls.ca_file } : {}),
    useEngCa: config.use_default_eng_ca === true,
  };
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
