import type { Logger } from 'pino';
import type { LoadedConfig } from './config/index.js';
import { startMetricsServer } from './http/metrics-server.js';
import type { PlainHttpServer } from './http/plain-server.js';
import { startStatusServer } from './http/status-server.js';
import { registerServerMetrics } from './metrics/provider.js';
import type { PrometheusTextReader } from './metrics/reader.js';

/** Where the metrics endpoint binds unless `monitoring.prometheus_metrics_host` says otherwise. */
const DEFAULT_METRICS_HOST = '127.0.0.1';
const DEFAULT_HOST = '0.0.0.0';

export interface ServerOptions {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  /** The installed Prometheus reader; `/metrics` is served when the config names a port. */
  readonly metricsReader: PrometheusTextReader;
}

export interface RunningServer {
  /** Bound ports (the config may ask for port 0 in tests). */
  readonly statusPort: number | undefined;
  readonly metricsPort: number | undefined;
  /** Stops accepting, drains the sockets, flushes the sinks and closes every listener. */
  stop(): Promise<void>;
}

/** Starts every listener the config asks for. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config } = options.loaded;
  const logger = options.logger;
  const host = config.host || DEFAULT_HOST;
  const listeners: PlainHttpServer[] = [];
  try {
    registerServerMetrics(() => 0);

    let statusPort: number | undefined;
    if (config.status_port) {
      const status = await startStatusServer(host, config.status_port);
      listeners.push(status);
      statusPort = status.port;
      logger.info({ host, port: status.port }, 'status_server_started');
    }

    let metricsPort: number | undefined;
    const monitoring = config.monitoring;
    if (monitoring?.prometheus_metrics_port) {
      const metricsHost = monitoring.prometheus_metrics_host || DEFAULT_METRICS_HOST;
      const server = await startMetricsServer(metricsHost, monitoring.prometheus_metrics_port, options.metricsReader);
      listeners.push(server);
      metricsPort = server.port;
      logger.info({ host: metricsHost, port: server.port }, 'metrics_server_started');
    }

    return {
      statusPort,
      metricsPort,
      async stop() {
        await Promise.all(listeners.map((listener) => listener.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(listeners.map((listener) => listener.close()));
    throw error;
  }
}
