import { startPlainHttpServer, type PlainHttpServer } from './plain-server.js';

/** The `status_port` listener: `GET /status` answers `200 ok` for load balancer health checks. */
export function startStatusServer(host: string, port: number): Promise<PlainHttpServer> {
  return startPlainHttpServer(host, port, {
    '/status': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
    },
  });
}
