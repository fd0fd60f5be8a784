import { join } from 'node:path';
import { NoopSink, RecordRouter, type Sink } from '@fleet-telemetry/sink-api';
import { TelemetryServer, createTlsOptions } from '@fleet-telemetry/transport';
import { pino } from 'pino';
import { metricValue, type ScrapeReader } from './meter.js';
import type { RunningTarget, TargetSettings } from './protocol.js';

/** Every record type the simulator sends, plus the server's own connectivity records. */
const recordTypes = ['V', 'alerts', 'errors', 'connectivity'] as const;

/**
 * Our server as the server app wires it (sinks → RecordRouter → TelemetryServer, logger switched
 * off), with one no-op sink that confirms every write at once standing in for the datastores. The
 * app has no such sink, so the benchmark composes the same packages itself.
 */
export async function startTelemetryServer(settings: TargetSettings, reader: ScrapeReader): Promise<RunningTarget> {
  const logger = pino({ level: 'silent' });
  const sink: Sink = new NoopSink('noop');
  const routes = Object.fromEntries(recordTypes.map((type) => [type, [sink]]));
  // Connectivity records cannot be reliably acked: no vehicle waits for them.
  const reliableAck = settings.reliableAck ? { V: 'noop', alerts: 'noop', errors: 'noop' } : undefined;
  const router = new RecordRouter({ routes, ...(reliableAck ? { reliableAck } : {}), logger: logger.child({ component: 'router' }) });
  await router.start();
  const tls = createTlsOptions({
    serverCert: join(settings.pkiDir, 'server.pem'),
    serverKey: join(settings.pkiDir, 'server-key.pem'),
    caFile: join(settings.pkiDir, 'chain.pem'),
  });
  const transport = new TelemetryServer({ tls: { ...tls, ca: [...tls.ca] }, dispatcher: router, logger });
  const { port } = await transport.listen(0, settings.host);
  return {
    port,
    connections: () => transport.connectionCount,
    async metrics() {
      const scraped = await reader.scrape();
      return { numConnections: metricValue(scraped, 'num_connections'), recordTotal: metricValue(scraped, 'record_total') };
    },
    async close() {
      await transport.close({ drainTimeoutMs: 0 });
      await router.close();
    },
  };
}
