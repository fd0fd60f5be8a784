import { createSocket } from 'node:dgram';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Something that collects items as they arrive and lets a test wait for the ones it expects. */
export interface Collector<T> {
  readonly items: T[];
  /** Resolves with the items matching `accept` once there are `count` of them; rejects after 20 s. */
  waitFor(accept: (item: T) => boolean, count?: number): Promise<T[]>;
  close(): Promise<void>;
}

function collector<T>(close: () => Promise<void>): Collector<T> & { add(item: T): void } {
  const items: T[] = [];
  const waiters = new Set<() => void>();
  return {
    items,
    add(item) {
      items.push(item);
      for (const check of waiters) check();
    },
    waitFor(accept, count = 1) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = items.filter(accept);
          if (matching.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(matching);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} matching item(s), got:\n${items.map((item) => JSON.stringify(item)).join('\n')}`));
        }, 20_000);
        waiters.add(check);
        check();
      });
    },
    close,
  };
}

/** A StatsD stand-in: every line received on a UDP port of 127.0.0.1. */
export async function startStatsdListener(): Promise<Collector<string> & { readonly port: number }> {
  const socket = createSocket('udp4');
  const lines = collector<string>(() => new Promise((resolve) => socket.close(() => resolve())));
  socket.on('message', (datagram) => {
    for (const line of datagram.toString('utf8').split('\n')) if (line !== '') lines.add(line);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return Object.assign(lines, { port: socket.address().port });
}

export interface ReceivedNotice {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: {
    errors: { type: string; message: string; backtrace: { file: string; line: number; function: string }[] }[];
    context: Record<string, unknown>;
  };
}

/** An Airbrake stand-in on 127.0.0.1 answering every notice with 201. */
export async function startNoticeListener(): Promise<Collector<ReceivedNotice> & { readonly url: string }> {
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      notices.add({ path: request.url ?? '', headers: request.headers, body: JSON.parse(text) as ReceivedNotice['body'] });
      response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: String(notices.items.length) }));
    });
  });
  const notices = collector<ReceivedNotice>(
    () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(notices, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}
