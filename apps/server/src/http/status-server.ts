import { startPlainHttpServer, type PlainHttpServer } from './plain-server.js';

/**
 * The `status_port` listener: `GET /status` answers `200 ok` for load balancer health checks, or
 * `503 unavailable` while `isServing` says no vehicle could be served (a primary whose workers are
 * all being replaced).
 */
export function startStatusServer(host: string, port: number, isServing: () => boolean = () => true): Promise<PlainHttpServer> {
  return startPlainHttpServer(host, port, {
    '/status': (_request, response) => {
      const serving = isServing();
      response.writeHead(serving ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(serving ? 'ok' : 'unavailable');
    },
  });
}
