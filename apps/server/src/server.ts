import { DEFAULT_PROFILER_HOST, startProfilerServer } from '@fleet-telemetry/profiler';
import { rateLimiterFromConfig } from '@fleet-telemetry/rate-limiter';
import { RecordRouter, type Sink } from '@fleet-telemetry/sink-api';
import { TelemetryServer, type TelemetryTlsOptions } from '@fleet-telemetry/transport';
import type { Logger } from 'pino';
import { ConfigError, DEFAULT_PORT, type ConfigPath, type LoadedConfig, type ServerConfig } from './config/index.js';
import { startMetricsServer } from './http/metrics-server.js';
import type { PlainHttpServer } from './http/plain-server.js';
import { startStatusServer } from './http/status-server.js';
import { startRunProfileFromConfig } from './monitoring/run-profile.js';
import { startStatsdFromConfig } from './monitoring/statsd.js';
import type { PrometheusTextReader } from './metrics/reader.js';
import { createSinks, sinkFactories, type SinkFactories } from './sinks/registry.js';
import { tlsOptionsFromConfig, watchTlsFiles } from './transport/tls.js';

export const DEFAULT_HOST = '0.0.0.0';
/** Where the metrics endpoint binds unless `monitoring.prometheus_metrics_host` says otherwise. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** Bounds of a graceful shutdown: waiting for pending acks, then for the sinks to settle. */
export interface ShutdownTimeouts {
  readonly drainMs: number;
  readonly flushMs: number;
}

const DEFAULT_SHUTDOWN_TIMEOUTS: ShutdownTimeouts = { drainMs: 10_000, flushMs: 10_000 };

export interface ServerOptions {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  /** The installed Prometheus reader; `/metrics` is served when the config names a port. */
  readonly metricsReader: PrometheusTextReader;
  readonly sinkFactories?: SinkFactories;
  readonly shutdownTimeouts?: ShutdownTimeouts;
}

export interface RunningServer {
  /** Bound ports (a config may ask for port 0). */
  readonly port: number;
  readonly statusPort: number | undefined;
  readonly metricsPort: number | undefined;
  /**
   * Stops accepting, lets the sockets finish what they read (their disconnect events are
   * dispatched), flushes and closes the sinks, then closes the status and metrics listeners.
   */
  stop(): Promise<void>;
}

/**
 * Wires the server from a validated config: sinks → record router → transport (mTLS listener,
 * rate limiter, connectivity events), plus the status and metrics listeners.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config } = options.loaded;
  const logger = options.logger;
  const timeouts = options.shutdownTimeouts ?? DEFAULT_SHUTDOWN_TIMEOUTS;
  const host = config.host || DEFAULT_HOST;
  // Undone in reverse order when start-up fails half way, and at the end of a shutdown.
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => logger.error({ err: error }, 'cleanup_error'));
    }
  };

  try {
    const tls = tlsOptionsFromConfig(config);
    // Started first, so it is written last: the profile covers the start-up and the whole shutdown.
    const writeRunProfile = await startRunProfileFromConfig(config, logger);
    if (writeRunProfile !== undefined) cleanups.push(writeRunProfile);
    const router = await startRouter(options, cleanups);
    const transport = createTransport(config, tls, router, logger);
    const address = await bindOrExplain(['port'], () => transport.listen(config.port ?? DEFAULT_PORT, host));
    cleanups.push(() => transport.close({ drainTimeoutMs: 0 }));
    // Renewed certificates are swapped in for new handshakes; connected vehicles stay connected.
    const tlsReloader = watchTlsFiles(config, tls, transport, logger);
    cleanups.push(async () => tlsReloader.close());
    logger.info({ host: address.address, port: address.port }, 'mtls_server_started');

    const statusPort = config.status_port
      ? await startListener(cleanups, ['status_port'], () => startStatusServer(host, config.status_port ?? 0))
      : undefined;
    if (statusPort !== undefined) logger.info({ host, port: statusPort }, 'status_server_started');

    const monitoring = config.monitoring;
    const metricsHost = monitoring?.prometheus_metrics_host || DEFAULT_METRICS_HOST;
    const metricsPort = monitoring?.prometheus_metrics_port
      ? await startListener(cleanups, ['monitoring', 'prometheus_metrics_port'], () =>
          startMetricsServer(metricsHost, monitoring.prometheus_metrics_port ?? 0, options.metricsReader),
        )
      : undefined;
    if (metricsPort !== undefined) logger.info({ host: metricsHost, port: metricsPort }, 'metrics_server_started');

    const profilerHost = monitoring?.profiler_host || DEFAULT_PROFILER_HOST;
    const profilerPort = monitoring?.profiler_port
      ? await startListener(cleanups, ['monitoring', 'profiler_port'], () =>
          startProfilerServer({ host: profilerHost, port: monitoring.profiler_port ?? 0, logger: logger.child({ component: 'profiler' }) }),
        )
      : undefined;
    if (profilerPort !== undefined) logger.info({ host: profilerHost, port: profilerPort }, 'profiler_server_started');

    // Stopped after the sinks flushed, so the last push carries the shutdown's counts.
    const statsd = startStatsdFromConfig(config, options.metricsReader, logger);
    if (statsd !== undefined) cleanups.push(() => statsd.stop());

    let stopping: Promise<void> | undefined;
    const stop = async () => {
      logger.info({ sockets: transport.connectionCount }, 'draining_sockets');
      await transport.close({ drainTimeoutMs: timeouts.drainMs });
      logger.info('flushing_sinks');
      await router.flush(timeouts.flushMs).catch((error: unknown) => logger.error({ err: error }, 'sink_flush_error'));
      await router.close().catch((error: unknown) => logger.error({ err: error }, 'sink_close_error'));
      await cleanUp();
    };
    return { port: address.port, statusPort, metricsPort, stop: () => (stopping ??= stop()) };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Creates the sinks named in `records`, routes them and starts them (datastores connect here). */
async function startRouter(options: ServerOptions, cleanups: (() => Promise<void>)[]): Promise<RecordRouter> {
  const { config, reliableAckSources } = options.loaded;
  const sinks = await createSinks(config, options.sinkFactories ?? sinkFactories, options.logger);
  const routes: Record<string, Sink[]> = {};
  for (const [recordType, names] of Object.entries(config.records ?? {})) {
    routes[recordType] = [...new Set(names)].map((name) => sinks.get(name)).filter((sink) => sink !== undefined);
  }
  const router = new RecordRouter({
    routes,
    reliableAck: reliableAckSources,
    ackPolicy: config.ack_policy,
    logger: options.logger.child({ component: 'router' }),
  });
  cleanups.push(() => router.close());
  await router.start();
  options.logger.info({ sinks: [...sinks.keys()], records: config.records ?? {} }, 'sinks_started');
  return router;
}

function createTransport(config: ServerConfig, tls: TelemetryTlsOptions, router: RecordRouter, logger: Logger): TelemetryServer {
  try {
    return new TelemetryServer({
      tls: { ...tls, ca: [...tls.ca] },
      dispatcher: router,
      logger,
      rateLimiter: config.rate_limit?.enabled === true ? rateLimiterFromConfig(config.rate_limit) : undefined,
      transmitDecodedRecords: config.transmit_decoded_records === true,
      vinsSignalTracking: [...new Set(config.vins_signal_tracking_enabled ?? [])],
    });
  } catch (error) {
    // Node parses the server certificate and key only when the TLS context is created.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ path: ['tls'], message: `server_cert and server_key cannot be used together: ${reason}` }]);
  }
}

async function startListener(
  cleanups: (() => Promise<void>)[],
  key: ConfigPath,
  start: () => Promise<PlainHttpServer>,
): Promise<number> {
  const listener = await bindOrExplain(key, start);
  cleanups.push(() => listener.close());
  return listener.port;
}

/** A port that is taken or not allowed is a config problem: name the key that asked for it. */
export async function bindOrExplain<T>(key: ConfigPath, bind: () => Promise<T>): Promise<T> {
  try {
    return await bind();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ConfigError([{ path: key, message: 'names a port that is already in use' }]);
    if (code === 'EACCES') throw new ConfigError([{ path: key, message: 'names a port this process may not bind (below 1024?)' }]);
    if (code === 'EADDRNOTAVAIL') throw new ConfigError([{ path: key, message: 'cannot be bound: the host address is not on this machine' }]);
    throw error;
  }
}
