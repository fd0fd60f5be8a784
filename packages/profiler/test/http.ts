import { pino, type Logger } from 'pino';
import { request } from 'node:http';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export function get(url: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request(url, { method }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** A pino logger that resolves `waitFor(msg)` once a line with that message was logged. */
export function watchedLogger(): { logger: Logger; waitFor: (msg: string) => Promise<void> } {
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  const logger = pino({ level: 'info' }, {
    write(line: string) {
      const msg = (JSON.parse(line) as { msg: string }).msg;
      seen.add(msg);
      waiters.get(msg)?.();
    },
  });
  return {
    logger,
    waitFor: (msg) => (seen.has(msg) ? Promise.resolve() : new Promise((resolve) => waiters.set(msg, resolve))),
  };
}
