import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The built server, as it ships. */
export const serverEntry = resolve(import.meta.dirname, '..', '..', '..', '..', 'apps', 'server', 'dist', 'main.js');

export interface ServerSpec {
  readonly workers: number;
  readonly port: number;
  /** Server certificate, key and the client CA chain (the development PKI's files). */
  readonly tls: { readonly serverCert: string; readonly serverKey: string; readonly clientCaChain: string };
  /** Where the config and the server's log go. */
  readonly workDir: string;
  /** Prefix of this server's files, e.g. `run1-2w`. */
  readonly name: string;
}

export interface RunningServer {
  readonly url: string;
  /** With one worker the single server process; otherwise the primary. */
  readonly pid: number;
  /** The processes that serve vehicles: the workers, or the single process. */
  readonly workerPids: readonly number[];
  readonly logFile: string;
  /** SIGTERM, then the exit code once the server (and so every worker) is gone. */
  stop(): Promise<number | null>;
}

/**
 * Starts `apps/server/dist/main.js --workers N` with a config that routes no record type: every
 * record is still read, decoded, transformed and acked, and nothing is written anywhere, the
 * cheapest configuration the server has (a logger sink at a level that drops its lines still
 * builds its records' readable form for nothing). Resolves once the server logged `started`.
 */
export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const configFile = join(spec.workDir, `${spec.name}.config.json`);
  const logFile = join(spec.workDir, `${spec.name}.log`);
  writeFileSync(
    configFile,
    JSON.stringify({
      host: '127.0.0.1',
      port: spec.port,
      log_level: 'info',
      json_log_enable: true,
      records: {},
      tls: { server_cert: spec.tls.serverCert, server_key: spec.tls.serverKey, ca_file: spec.tls.clientCaChain },
    }),
  );
  // The shell raises the soft limit on open files to the hard one (a thousand sockets in one
  // process need it), then execs: the pid is the server's own.
  const node = [process.execPath, serverEntry, `-config=${configFile}`, '--workers', String(spec.workers)];
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', ...node], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  liveServers.add(child);
  child.once('exit', () => liveServers.delete(child));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  child.stdout.pipe(createWriteStream(logFile));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const lines = createInterface({ input: child.stdout });
  const started = await new Promise<{ port: number; pids: number[] }>((resolveStarted, reject) => {
    let port: number | undefined;
    void exited.then((code) => reject(new Error(`the server exited (${code}) before it started: ${stderr.trim()} (log ${logFile})`)));
    const onLine = (line: string) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { msg?: string; port?: number; pids?: number[] };
      if (entry.msg === 'mtls_server_started') port = entry.port;
      if (entry.msg !== 'started') return;
      // Stop reading lines; the log file keeps receiving them.
      lines.off('line', onLine);
      resolveStarted({ port: entry.port ?? port ?? spec.port, pids: entry.pids ?? [child.pid ?? 0] });
    };
    lines.on('line', onLine);
  });

  return {
    url: `wss://127.0.0.1:${started.port}`,
    pid: child.pid ?? 0,
    workerPids: started.pids,
    logFile,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

const liveServers = new Set<ChildProcess>();
// The benchmark may end at any point: its servers go with it.
process.on('exit', () => {
  for (const child of liveServers) child.kill('SIGKILL');
});
