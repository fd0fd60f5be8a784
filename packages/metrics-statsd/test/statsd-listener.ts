import { createSocket, type Socket } from 'node:dgram';

/** A StatsD server stand-in: a UDP socket on 127.0.0.1 that keeps every line it receives. */
export interface StatsdListener {
  readonly port: number;
  readonly lines: string[];
  /** The size in bytes of every datagram received. */
  readonly datagramSizes: number[];
  /** Resolves once `count` lines matching `pattern` have arrived (or rejects after 10 s, listing them). */
  waitFor(pattern: RegExp, count?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startStatsdListener(): Promise<StatsdListener> {
  const socket: Socket = createSocket('udp4');
  const lines: string[] = [];
  const datagramSizes: number[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (datagram) => {
    datagramSizes.push(datagram.length);
    lines.push(...datagram.toString('utf8').split('\n').filter((line) => line !== ''));
    for (const check of waiters) check();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    lines,
    datagramSizes,
    waitFor(pattern, count = 1) {
      return new Promise((resolve, reject) => {
        const matching = () => lines.filter((line) => pattern.test(line));
        const check = () => {
          if (matching().length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(matching());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} line(s) matching ${pattern}, received:\n${lines.join('\n')}`));
        }, 10_000);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
