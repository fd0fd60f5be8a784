import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotice {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** An Airbrake stand-in on 127.0.0.1 that keeps every notice; `answer` decides each response. */
export interface NoticeServer {
  readonly url: string;
  readonly notices: ReceivedNotice[];
  /** Resolves once `count` notices have arrived. */
  waitFor(count: number): Promise<ReceivedNotice[]>;
  close(): Promise<void>;
}

export type Answer = (response: ServerResponse, index: number) => void;

export const created: Answer = (response, index) =>
  response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `notice-${index}`, url: `https://airbrake.test/notices/${index}` }));

export async function startNoticeServer(answer: Answer = created): Promise<NoticeServer> {
  const notices: ReceivedNotice[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      notices.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: JSON.parse(text) as Record<string, unknown> });
      for (const check of waiters) check();
      answer(response, notices.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    notices,
    waitFor: (count) =>
      new Promise((resolve) => {
        const check = () => {
          if (notices.length < count) return;
          waiters.delete(check);
          resolve(notices.slice(0, count));
        };
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
