import { parseStatsdAddress } from '@fleet-telemetry/metrics-statsd';
import { validateRoutingConfig, type SinkDescriptor } from '@fleet-telemetry/sink-api';
import type { ConfigDocument } from './document.js';
import type { ConfigPath, ConfigProblem } from './problems.js';
import type { ServerConfig, SinkName } from './types.js';

/** The reference server rejects configs tracking more VINs than this. */
export const MAX_TRACKED_VINS = 20;

/** What the config check needs to know about each sink this build can create. */
export type SinkCatalog = ReadonlyMap<string, Pick<SinkDescriptor, 'confirmsWrites'>>;

export interface SemanticCheck {
  readonly errors: readonly ConfigProblem[];
  readonly warnings: readonly ConfigProblem[];
  /** Record type → the sinks whose confirmation acks it, with the legacy `reliable_ack` applied. */
  readonly reliableAckSources: Readonly<Record<string, readonly string[]>>;
}

/** Sinks that need no config section of their own. */
const SECTIONLESS_SINKS = new Set<string>(['logger']);

/** Read instead of `airbrake.project_key` when set, as the reference server does. */
export const AIRBRAKE_PROJECT_KEY_ENV = 'AIRBRAKE_PROJECT_KEY';

/**
 * The rules a schema cannot express: sinks exist and are configured, reliable-ack sources are
 * valid, limits hold, ports do not collide. Every problem names the config key at fault.
 */
export function checkSemantics(
  config: ServerConfig,
  catalog: SinkCatalog,
  document?: ConfigDocument,
  env: Readonly<Record<string, string | undefined>> = process.env,
): SemanticCheck {
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  const at = (path: ConfigPath) => ({ path, ...document?.locate(path) });
  const error = (path: ConfigPath, message: string) => errors.push({ ...at(path), message });
  const warn = (path: ConfigPath, message: string) => warnings.push({ ...at(path), message });

  if (config.tls === undefined) {
    error(['tls'], 'is required: the server accepts mutual-TLS connections only (set tls.server_cert and tls.server_key)');
  }

  const records = config.records ?? {};
  if (Object.keys(records).length === 0) {
    warn(['records'], 'routes no record type: every record is acked and dropped');
  }
  for (const [recordType, names] of Object.entries(records)) {
    names.forEach((name, index) => {
      if (!catalog.has(name)) {
        error(['records', recordType, index], `names sink "${name}", which is not available in this build (available: ${[...catalog.keys()].join(', ') || 'none'})`);
      }
    });
  }

  const routing = validateRoutingConfig({
    records,
    reliableAckSources: config.reliable_ack_sources,
    reliableAck: config.reliable_ack,
    availableSinks: configuredSinks(config, catalog, records),
  });
  for (const problem of routing.problems) {
    const path = keyToPath(problem.key);
    if (problem.severity === 'error') error(path, problem.message);
    else warn(path, problem.message);
  }

  const trackedVins = new Set(config.vins_signal_tracking_enabled ?? []);
  if (trackedVins.size > MAX_TRACKED_VINS) {
    error(['vins_signal_tracking_enabled'], `lists ${trackedVins.size} unique VINs; at most ${MAX_TRACKED_VINS} are allowed`);
  }

  const rateLimit = config.rate_limit;
  if (rateLimit?.enabled === true) {
    if (rateLimit.message_limit === undefined) error(['rate_limit', 'message_limit'], 'is required when rate_limit.enabled is true');
    if (rateLimit.message_interval_time === undefined) {
      error(['rate_limit', 'message_interval_time'], 'is required when rate_limit.enabled is true');
    }
  }

  checkPortCollisions(config, error);

  if (config.reliable_ack_workers !== undefined) warn(['reliable_ack_workers'], 'is a legacy setting and is ignored');
  const statsdHost = config.monitoring?.statsd?.host;
  if (statsdHost !== undefined) {
    try {
      parseStatsdAddress(statsdHost);
    } catch {
      error(['monitoring', 'statsd', 'host'], `must be host:port (e.g. 127.0.0.1:8125), got ${JSON.stringify(statsdHost)}`);
    }
  }
  if (config.airbrake !== undefined && !config.airbrake.project_key && !env[AIRBRAKE_PROJECT_KEY_ENV]) {
    error(['airbrake', 'project_key'], `is required (or set the environment variable ${AIRBRAKE_PROJECT_KEY_ENV})`);
  }

  return { errors, warnings, reliableAckSources: routing.reliableAckSources };
}

/**
 * The sinks that can be created: available in this build and given their config section. Names this
 * build lacks are passed as configured confirming sinks: they are reported once, above, as missing.
 */
function configuredSinks(
  config: ServerConfig,
  catalog: SinkCatalog,
  records: Readonly<Record<string, readonly string[]>>,
): SinkDescriptor[] {
  const sections = config as Readonly<Record<string, unknown>>;
  const available = [...catalog]
    .filter(([name]) => SECTIONLESS_SINKS.has(name) || sections[name as SinkName] !== undefined)
    .map(([name, sink]) => ({ name, confirmsWrites: sink.confirmsWrites }));
  const missing = new Set(Object.values(records).flat().filter((name) => !catalog.has(name)));
  return [...available, ...[...missing].map((name) => ({ name, confirmsWrites: true }))];
}

/** `records.V` → `['records', 'V']`; record types may themselves contain dots. */
function keyToPath(key: string): ConfigPath {
  const dot = key.indexOf('.');
  return dot === -1 ? [key] : [key.slice(0, dot), key.slice(dot + 1)];
}

function checkPortCollisions(config: ServerConfig, error: (path: ConfigPath, message: string) => void): void {
  const ports: [ConfigPath, number | undefined][] = [
    [['port'], config.port ?? DEFAULT_PORT],
    [['status_port'], config.status_port],
    [['monitoring', 'prometheus_metrics_port'], config.monitoring?.prometheus_metrics_port],
    [['monitoring', 'profiler_port'], config.monitoring?.profiler_port],
  ];
  const taken = new Map<number, ConfigPath>();
  for (const [path, port] of ports) {
    if (port === undefined || port === 0) continue;
    const owner = taken.get(port);
    if (owner !== undefined) error(path, `uses port ${port}, already used by ${owner.join('.')}`);
    else taken.set(port, path);
  }
}

/** The listener port when the config names none (the reference's vehicles dial 443). */
export const DEFAULT_PORT = 443;
