import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusTextReader } from './reader.js';

export interface InstalledMetrics {
  readonly reader: PrometheusTextReader;
  shutdown(): Promise<void>;
}

/**
 * Makes the SDK the process-wide MeterProvider, read by a Prometheus text reader. Must run before
 * any library creates its meter: the API hands out no-op meters until a provider is installed.
 */
export function installMeterProvider(): InstalledMetrics {
  const reader = new PrometheusTextReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.disable();
  metrics.setGlobalMeterProvider(provider);
  registerUptimeMetric(provider);
  return {
    reader,
    async shutdown() {
      await provider.shutdown();
      metrics.disable();
    },
  };
}

/** `uptime_sec`, read at every scrape. (`num_connections` belongs to the transport, which knows its sockets.) */
function registerUptimeMetric(provider: MeterProvider): void {
  provider
    .getMeter('@fleet-telemetry/server')
    .createObservableGauge('uptime_sec', { description: 'The number of seconds the application has been running.' })
    .addCallback((result) => result.observe(Math.floor(process.uptime())));
}
