import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** A small plain-HTTP server: exact GET paths, 404 for everything else. */
export interface PlainHttpServer {
  /** The bound port (useful when listening on port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startPlainHttpServer(
  host: string,
  port: number,
  routes: Readonly<Record<string, RouteHandler>>,
): Promise<PlainHttpServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    const handler = routes[path];
    if (handler === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(handler === undefined ? 404 : 405, { 'content-type': 'text/plain' }).end();
      return;
    }
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(error instanceof Error ? error.message : 'internal error');
    });
  });
  await listen(server, host, port);
  return {
    port: (server.address() as AddressInfo).port,
    close: () => closeServer(server),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Scrapers and probes keep connections alive; they hold no state worth waiting for.
    server.closeAllConnections();
  });
}
