import type { SinkCatalog } from '../../src/config/index.js';

/** A build with the logger and a confirming datastore sink, so reliable-ack rules can be exercised. */
export const catalogWithKafka: SinkCatalog = new Map([
  ['logger', { confirmsWrites: false }],
  ['kafka', { confirmsWrites: true }],
]);

export const loggerOnlyCatalog: SinkCatalog = new Map([['logger', { confirmsWrites: false }]]);

/** A small valid config; tests change one thing at a time. */
export function validConfig(): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    port: 4443,
    status_port: 8080,
    namespace: 'tesla_telemetry',
    monitoring: { prometheus_metrics_port: 9464 },
    rate_limit: { enabled: true, message_limit: 1000, message_interval_time: 30 },
    records: { V: ['logger'], connectivity: ['logger'] },
    tls: { server_cert: 'server.pem', server_key: 'server-key.pem' },
  };
}
