import type { Sink } from '@fleet-telemetry/sink-api';
import { LoggerSink } from '@fleet-telemetry/sink-logger';
import type { Logger } from 'pino';
import type { ServerConfig, SinkCatalog, SinkName, SinkSection } from '../config/index.js';

/** What a sink factory gets besides its own config section. */
export interface SinkContext {
  /** The whole config, for shared keys (`namespace`, `transmit_decoded_records`, ...). */
  readonly config: ServerConfig;
  /** A child logger for the sink. */
  readonly logger: Logger;
}

export interface SinkFactory {
  /** Whether the sink reports delivery (and so may be a reliable-ack source); known before creating it. */
  readonly confirmsWrites: boolean;
  /** Creates the sink from its config section (`undefined` for sinks that need none). */
  create(section: SinkSection | undefined, context: SinkContext): Sink;
}

export type SinkFactories = Readonly<Partial<Record<SinkName, SinkFactory>>>;

/**
 * The sinks this build can create, by the name the config uses. A datastore sink plugs in here
 * (kafka, kinesis, pubsub, ...); a name missing from this table is a config error at start-up.
 */
export const sinkFactories: SinkFactories = {
  logger: {
    confirmsWrites: false,
    // The reference logs records through the server's own logger; so does this sink.
    create: (_section, { config, logger }) => new LoggerSink({ logger, verbose: config.logger?.verbose === true }),
  },
};

/** What config validation needs to know about the available sinks. */
export function sinkCatalog(factories: SinkFactories = sinkFactories): SinkCatalog {
  return new Map(Object.entries(factories).map(([name, factory]) => [name, { confirmsWrites: factory.confirmsWrites }]));
}

/** Creates each sink named in `records` once. The config was validated, so every name has a factory. */
export function createSinks(config: ServerConfig, factories: SinkFactories, logger: Logger): Map<string, Sink> {
  const names = new Set(Object.values(config.records ?? {}).flat());
  const sections = config as Readonly<Record<string, unknown>>;
  const sinks = new Map<string, Sink>();
  for (const name of names) {
    const factory = factories[name];
    if (factory === undefined) throw new Error(`no factory for sink "${name}"`);
    const section = sections[name] as SinkSection | undefined;
    sinks.set(name, factory.create(section, { config, logger: logger.child({ sink: name }) }));
  }
  return sinks;
}
