import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus-text.js';
import type { PrometheusTextReader } from '../metrics/reader.js';
import { startPlainHttpServer, type PlainHttpServer } from './plain-server.js';

/** Serves `GET /metrics` in the Prometheus text format. */
export function startMetricsServer(host: string, port: number, reader: PrometheusTextReader): Promise<PlainHttpServer> {
  return startPlainHttpServer(host, port, {
    '/metrics': async (_request, response) => {
      const body = await reader.scrape();
      response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(body);
    },
  });
}
