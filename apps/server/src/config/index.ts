export { ConfigError, describeProblem, formatConfigPath, type ConfigPath, type ConfigProblem } from './problems.js';
export { loadServerConfig, parseServerConfig, type LoadedConfig, type ParseOptions } from './load.js';
export { checkAgainstSchema, configSchema } from './schema.js';
export { parseConfigDocument, type ConfigDocument } from './document.js';
export { AIRBRAKE_PROJECT_KEY_ENV, checkSemantics, DEFAULT_PORT, MAX_TRACKED_VINS, type SinkCatalog } from './semantic.js';
export { SINK_NAMES, type AckPolicy, type LogLevelName, type ServerConfig, type SinkName, type SinkSection } from './types.js';
