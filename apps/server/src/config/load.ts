import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseConfigDocument } from './document.js';
import { ConfigError, type ConfigProblem } from './problems.js';
import { checkAgainstSchema } from './schema.js';
import { checkSemantics, type SinkCatalog } from './semantic.js';
import type { ServerConfig } from './types.js';

export interface LoadedConfig {
  /** The validated config, with relative file paths resolved against the config's directory. */
  readonly config: ServerConfig;
  /** Problems worth telling the operator that do not stop the server (unknown keys, legacy keys). */
  readonly warnings: readonly ConfigProblem[];
  /** Record type → the sinks whose confirmation acks it (legacy `reliable_ack` applied). */
  readonly reliableAckSources: Readonly<Record<string, readonly string[]>>;
}

export interface ParseOptions {
  /** The sinks this build can create. */
  readonly sinks: SinkCatalog;
  /** Where the text came from, for messages (`config.json:12:5`). */
  readonly source?: string;
  /** Directory relative file paths in the config are resolved against. Default: the working directory. */
  readonly baseDirectory?: string;
  /** Environment variables the config may be completed with (AIRBRAKE_PROJECT_KEY). Default: this process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Validates config text: JSON syntax, then config.schema.json, then the cross-key rules. */
export function parseServerConfig(text: string, options: ParseOptions): LoadedConfig {
  const document = withSource(options.source, () => parseConfigDocument(text.replace(/^\uFEFF/, '')));
  const schema = checkAgainstSchema(document);
  if (schema.errors.length > 0) throw new ConfigError(schema.errors, options.source);
  const config = document.value as ServerConfig;
  const semantics = checkSemantics(config, options.sinks, document, options.env);
  if (semantics.errors.length > 0) throw new ConfigError(semantics.errors, options.source);
  return {
    config: resolveFilePaths(config, options.baseDirectory ?? process.cwd()),
    warnings: [...schema.warnings, ...semantics.warnings],
    reliableAckSources: semantics.reliableAckSources,
  };
}

/** Reads and validates the config file at `path`; throws `ConfigError` naming the key at fault. */
export function loadServerConfig(path: string, sinks: SinkCatalog): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError([{ path: [], message: `file ${path} cannot be read: ${reason}` }]);
  }
  return parseServerConfig(text, { sinks, source: path, baseDirectory: dirname(resolve(path)) });
}

function withSource<T>(source: string | undefined, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError && source !== undefined) throw new ConfigError(error.problems, source);
    throw error;
  }
}

function resolveFilePaths(config: ServerConfig, baseDirectory: string): ServerConfig {
  const resolvePath = (path: string) => (isAbsolute(path) ? path : resolve(baseDirectory, path));
  const resolveSome = <T extends object>(section: T, keys: readonly (keyof T)[]): T => {
    const resolved = { ...section };
    for (const key of keys) {
      const value = section[key];
      if (typeof value === 'string' && value !== '') resolved[key] = resolvePath(value) as T[keyof T];
    }
    return resolved;
  };
  const { tls, monitoring, airbrake } = config;
  return {
    ...config,
    ...(tls ? { tls: resolveSome(tls, ['server_cert', 'server_key', 'ca_file']) } : {}),
    ...(monitoring ? { monitoring: resolveSome(monitoring, ['profiling_path']) } : {}),
    ...(airbrake?.tls ? { airbrake: { ...airbrake, tls: resolveSome(airbrake.tls, ['ca_file', 'server_cert', 'server_key']) } } : {}),
  };
}
