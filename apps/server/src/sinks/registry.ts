import type { Sink } from '@fleet-telemetry/sink-api';
import { LoggerSink } from '@fleet-telemetry/sink-logger';
import type { Logger } from 'pino';
import { ConfigError, type ServerConfig, type SinkCatalog, type SinkName, type SinkSection } from '../config/index.js';

/** What a sink factory gets besides its own config section. */
export interface SinkContext {
  /** The whole config, for shared keys (`namespace`, `logger.verbose`, ...). */
  readonly config: ServerConfig;
  /** Topic / stream prefix: `<namespace>_<record type>`. */
  readonly namespace: string;
  /** The record types routed to this sink. */
  readonly recordTypes: readonly string[];
  /** A child logger for the sink. */
  readonly logger: Logger;
}

export interface SinkFactory {
  /** Whether the sink reports delivery (and so may be a reliable-ack source); known before creating it. */
  readonly confirmsWrites: boolean;
  /**
   * Creates the sink from its config section (empty for sinks that need none). Datastore clients
   * are imported here, so a server that does not use a datastore never loads its SDK.
   */
  create(section: SinkSection, context: SinkContext): Sink | Promise<Sink>;
}

export type SinkFactories = Readonly<Partial<Record<SinkName, SinkFactory>>>;

/**
 * The sinks this build can create, by the name the config uses; a name missing here is a config
 * error at start-up. A new datastore plugs in with one entry.
 */
export const sinkFactories: SinkFactories = {
  logger: {
    confirmsWrites: false,
    // The reference logs records through the server's own logger; so does this sink.
    create: (_section, { config, logger }) => new LoggerSink({ logger, verbose: config.logger?.verbose === true }),
  },
  kafka: {
    confirmsWrites: true,
    create: async (section, { namespace, logger }) => {
      const { KafkaSink } = await import('@fleet-telemetry/sink-kafka');
      return new KafkaSink({ config: section, namespace, logger });
    },
  },
  kinesis: {
    confirmsWrites: true,
    create: async (section, { namespace, recordTypes, logger }) => {
      const { KinesisSink } = await import('@fleet-telemetry/sink-kinesis');
      return new KinesisSink({ config: section, namespace, recordTypes, logger });
    },
  },
  pubsub: {
    confirmsWrites: true,
    create: async (section, { namespace, recordTypes, logger }) => {
      const { PubSubSink } = await import('@fleet-telemetry/sink-pubsub');
      return new PubSubSink({ config: section, namespace, recordTypes, logger });
    },
  },
};

/** What config validation needs to know about the available sinks. */
export function sinkCatalog(factories: SinkFactories = sinkFactories): SinkCatalog {
  return new Map(Object.entries(factories).map(([name, factory]) => [name, { confirmsWrites: factory.confirmsWrites }]));
}

/**
 * Creates each sink named in `records` once. The config was validated, so every name has a
 * factory; a sink that rejects its section (`kafka.acks: ...`) becomes a config error naming it.
 */
export async function createSinks(config: ServerConfig, factories: SinkFactories, logger: Logger): Promise<Map<string, Sink>> {
  const recordTypesBySink = new Map<string, string[]>();
  for (const [recordType, names] of Object.entries(config.records ?? {})) {
    for (const name of new Set(names)) recordTypesBySink.set(name, [...(recordTypesBySink.get(name) ?? []), recordType]);
  }
  const sections = config as Readonly<Record<string, unknown>>;
  const sinks = new Map<string, Sink>();
  for (const [name, recordTypes] of recordTypesBySink) {
    const factory = factories[name as SinkName];
    if (factory === undefined) throw new ConfigError([{ path: ['records'], message: `names sink "${name}", which this build lacks` }]);
    const section = (sections[name] ?? {}) as SinkSection;
    const context = { config, namespace: config.namespace ?? '', recordTypes, logger: logger.child({ sink: name }) };
    try {
      sinks.set(name, await factory.create(section, context));
    } catch (error) {
      throw asConfigError(name, error);
    }
  }
  return sinks;
}

/**
 * Creating a sink only reads its section (connecting is `start()`), so whatever it throws is about
 * the section. Sinks word their config errors `<name>.<key>: <problem>` or `<name>: <problem>`;
 * the key is kept when there is one.
 */
function asConfigError(name: string, error: unknown): ConfigError {
  const message = error instanceof Error ? error.message : String(error);
  const match = new RegExp(`^${name}(?:\\.([^:]+))?: (.*)$`, 's').exec(message);
  if (match === null) return new ConfigError([{ path: [name], message: `is refused by the ${name} sink: ${message}` }]);
  const key = match[1];
  return new ConfigError([{ path: key === undefined ? [name] : [name, key], message: match[2] ?? message }]);
}
