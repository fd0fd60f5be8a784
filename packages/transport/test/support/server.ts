import type { Sink } from '@fleet-telemetry/sink-api';
import { RecordRouter } from '@fleet-telemetry/sink-api';
import { createTlsOptions, TelemetryServer, type TelemetryServerOptions } from '../../src/index.js';
import { VehicleClient, type ClientOptions } from './client.js';
import { testMetrics, type TestMetrics } from './metrics.js';
import type { TestPki } from './pki.js';

export interface RunningServer {
  readonly server: TelemetryServer;
  readonly router: RecordRouter;
  readonly metrics: TestMetrics;
  readonly port: number;
  connect(options?: Partial<ClientOptions>): Promise<VehicleClient>;
  clientOptions(options?: Partial<ClientOptions>): ClientOptions;
  close(): Promise<void>;
}

export interface StartOptions extends Partial<Omit<TelemetryServerOptions, 'dispatcher'>> {
  readonly routes?: Readonly<Record<string, readonly Sink[]>>;
  readonly reliableAck?: Readonly<Record<string, string>>;
}

/** A TelemetryServer on 127.0.0.1 with a RecordRouter over the given sinks (dev PKI files unless `tls` is given). */
export async function startServer(pki: TestPki, options: StartOptions = {}): Promise<RunningServer> {
  const metrics = testMetrics();
  const meter = metrics.meterProvider.getMeter('@fleet-telemetry/sink-api');
  const router = new RecordRouter({ routes: options.routes ?? {}, reliableAck: options.reliableAck, meter });
  const { routes: _routes, reliableAck: _reliableAck, ...serverOptions } = options;
  const server = new TelemetryServer({
    tls:
      options.tls ??
      createTlsOptions({
        serverCert: pki.pki.serverCertFile,
        serverKey: pki.pki.serverKeyFile,
        caFile: pki.pki.chainFile,
      }),
    dispatcher: router,
    meterProvider: metrics.meterProvider,
    ...serverOptions,
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const defaultCertificate = pki.vehicle({ vin: '5YJ3E1EA7KF000001' });
  const clientOptions = (overrides: Partial<ClientOptions> = {}): ClientOptions => ({ ca: pki.serverCa, ...overrides });
  return {
    server,
    router,
    metrics,
    port,
    clientOptions,
    connect: async (overrides = {}) =>
      VehicleClient.connect(port, clientOptions({ certificate: await defaultCertificate, ...overrides })),
    close: () => server.close({ drainTimeoutMs: 1_000 }),
  };
}
