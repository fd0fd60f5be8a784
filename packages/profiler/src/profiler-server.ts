import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { startCpuProfile } from './cpu-profile.js';
import { writeHeapSnapshot } from './heap-snapshot.js';

export interface ProfilerServerOptions {
  readonly port: number;
  /** Default: 127.0.0.1. Profiles expose code and heap contents: keep them off public interfaces. */
  readonly host?: string | undefined;
  /** Longest CPU profile a request may ask for, in seconds. Default: 300. */
  readonly maxProfileSeconds?: number | undefined;
  /** Microseconds between CPU samples. Default: 1000. */
  readonly samplingIntervalMicros?: number | undefined;
  /** Default: silent. */
  readonly logger?: Logger | undefined;
}

export interface ProfilerServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_PROFILER_HOST = '127.0.0.1';
/** What `seconds` defaults to, as in Go's net/http/pprof. */
const DEFAULT_PROFILE_SECONDS = 30;
const DEFAULT_MAX_PROFILE_SECONDS = 300;

const INDEX = `profiles of this process:
/debug/pprof/profile?seconds=N  CPU profile of the next N seconds (.cpuprofile JSON; open in Chrome DevTools or speedscope)
/debug/pprof/heap               heap snapshot (.heapsnapshot JSON; open in Chrome DevTools)
`;

/**
 * Serves CPU profiles and heap snapshots over HTTP at Go's pprof paths. One profile or snapshot at
 * a time: they pause or slow the process, and two at once would measure each other.
 */
export async function startProfilerServer(options: ProfilerServerOptions): Promise<ProfilerServer> {
  const host = options.host || DEFAULT_PROFILER_HOST;
  const maxSeconds = options.maxProfileSeconds ?? DEFAULT_MAX_PROFILE_SECONDS;
  const logger = options.logger;
  let busy = false;
  const running = new Set<() => void>();

  const routes: Record<string, (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>> = {
    '/debug/pprof/': async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(INDEX);
    },
    '/debug/pprof/profile': async (_request, response, url) => {
      const seconds = parseSeconds(url.searchParams.get('seconds'), maxSeconds);
      if (typeof seconds === 'string') {
        response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end(`${seconds}\n`);
        return;
      }
      logger?.info({ seconds }, 'cpu_profile_started');
      const recording = await startCpuProfile({ samplingIntervalMicros: options.samplingIntervalMicros });
      // Ends early when the client goes away or the server closes: nobody would read the result.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, seconds * 1000);
        response.once('close', finish);
        running.add(finish);
        function finish() {
          clearTimeout(timer);
          response.off('close', finish);
          running.delete(finish);
          resolve();
        }
      });
      const profile = await recording.stop();
      if (response.destroyed) return;
      response
        .writeHead(200, {
          'content-type': 'application/json',
          'content-disposition': `attachment; filename="${fileName('cpu', 'cpuprofile')}"`,
        })
        .end(JSON.stringify(profile));
      logger?.info({ seconds, samples: profile.samples?.length ?? 0 }, 'cpu_profile_served');
    },
    '/debug/pprof/heap': async (_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-disposition': `attachment; filename="${fileName('heap', 'heapsnapshot')}"`,
      });
      await writeHeapSnapshot((chunk) => response.write(chunk));
      response.end();
      logger?.info('heap_snapshot_served');
    },
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://profiler');
    const route = routes[url.pathname === '/debug/pprof' ? '/debug/pprof/' : url.pathname];
    if (route === undefined || request.method !== 'GET') {
      response.writeHead(route === undefined ? 404 : 405, { 'content-type': 'text/plain; charset=utf-8' }).end();
      return;
    }
    const exclusive = url.pathname !== '/debug/pprof/' && url.pathname !== '/debug/pprof';
    if (exclusive && busy) {
      response.writeHead(409, { 'content-type': 'text/plain; charset=utf-8' }).end('another profile is being taken; try again when it is done\n');
      return;
    }
    if (exclusive) busy = true;
    route(request, response, url)
      .catch((error: unknown) => {
        logger?.warn({ err: error, path: url.pathname }, 'profile_failed');
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(error instanceof Error ? `${error.message}\n` : 'profile failed\n');
      })
      .finally(() => {
        if (exclusive) busy = false;
      });
  });
  await listen(server, host, options.port);
  return {
    host,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const finish of running) finish();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `seconds` as a whole number in [1, max], or what is wrong with it. */
function parseSeconds(text: string | null, max: number): number | string {
  if (text === null || text === '') return Math.min(DEFAULT_PROFILE_SECONDS, max);
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds < 1 || seconds > max) return `seconds must be a whole number from 1 to ${max}, got "${text}"`;
  return seconds;
}

function fileName(kind: string, extension: string): string {
  return `${kind}-${process.pid}-${new Date().toISOString().replace(/[:.]/g, '-')}.${extension}`;
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
