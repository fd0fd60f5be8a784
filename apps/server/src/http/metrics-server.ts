import { PROMETHEUS_CONTENT_TYPE } from '../metrics/prometheus-text.js';
import { startPlainHttpServer, type PlainHttpServer } from './plain-server.js';

/** Where `/metrics` gets its text: this process's reader, or the merge of every worker's. */
export interface MetricsSource {
  scrape(): Promise<string>;
}

/** Serves `GET /metrics` in the Prometheus text format. */
export function startMetricsServer(host: string, port: number, source: MetricsSource): Promise<PlainHttpServer> {
  return startPlainHttpServer(host, port, {
    '/metrics': async (_request, response) => {
      const body = await source.scrape();
      response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(body);
    },
  });
}
