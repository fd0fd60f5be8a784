import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool, WorkerStartError, type PoolWorker, type WorkerPoolOptions } from '../src/index.js';

const fixture = fileURLToPath(new URL('fixtures/worker.ts', import.meta.url));
const pools: WorkerPool[] = [];

function pool(args: readonly string[], options: Partial<WorkerPoolOptions> = {}): WorkerPool {
  const created = new WorkerPool({
    size: 2,
    exec: fixture,
    args,
    execArgv: ['--conditions=@fleet-telemetry/source', '--import', 'tsx'],
    restart: { initialDelayMs: 10 },
    ...options,
  });
  pools.push(created);
  return created;
}

afterEach(async () => {
  for (const created of pools.splice(0)) created.kill();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Connects to the shared port; the worker that took the connection answers with its id. */
function askWhichWorker(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    connect(port, '127.0.0.1')
      .setEncoding('utf8')
      .on('data', (chunk: string) => (answer += chunk))
      .on('end', () => resolve(answer))
      .on('error', reject);
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('WorkerPool', () => {
  it('starts every worker, which share one listening port', async () => {
    const port = await freePort();
    const workers = await pool(['serve', String(port)]).start();
    expect(workers).toHaveLength(2);
    expect(new Set(workers.map((worker) => worker.pid)).size).toBe(2);
    expect(workers.map((worker) => worker.details)).toEqual([{ port }, { port }]);

    const answers = new Set<string>();
    for (let attempt = 0; attempt < 6; attempt++) answers.add(await askWhichWorker(port));
    expect(answers).toEqual(new Set(workers.map((worker) => `worker ${worker.id}`)));
  });

  it('merges the metrics of its workers with its own', async () => {
    const port = await freePort();
    const workers = pool(['serve', String(port)], { merge: { gauges: { up_since: 'max' } } });
    const ids = (await workers.start()).map((worker) => worker.id);
    for (let attempt = 0; attempt < 5; attempt++) await askWhichWorker(port);
    const text = await workers.collectMetrics('# TYPE primary_info gauge\nprimary_info 1\n');
    expect(text).toContain('# HELP served_total Connections answered.\n# TYPE served_total counter\nserved_total 5\n');
    // Each worker reports its id as up_since: the rule takes the largest, not their sum.
    expect(text).toContain(`up_since ${Math.max(...ids)}\n`);
    expect(text).toContain('primary_info 1\n');
  });

  it('stops every worker through its own shutdown and reports a clean stop', async () => {
    const port = await freePort();
    const workers = pool(['serve', String(port)]);
    const started = await workers.start();
    const stopped = await workers.stop();
    expect(stopped.clean).toBe(true);
    expect(stopped.exits.map((exit) => exit.pid).sort()).toEqual(started.map((worker) => worker.pid).sort());
    expect(stopped.exits.every((exit) => exit.code === 0 && exit.signal === null)).toBe(true);
    await expect(askWhichWorker(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reports a stop as not clean when a worker exits with an error', async () => {
    const workers = pool(['serve', String(await freePort()), '3']);
    await workers.start();
    const stopped = await workers.stop();
    expect(stopped.clean).toBe(false);
    expect(stopped.exits.map((exit) => exit.code)).toEqual([3, 3]);
  });

  it('fails the start with the message of a worker that could not start, and leaves no worker behind', async () => {
    const workers = pool(['report-failure', 'config error: port names a port that is already in use']);
    const pids: number[] = [];
    workers.on('worker-exit', (exit) => pids.push(exit.pid));
    const failure = await workers.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkerStartError);
    expect((failure as WorkerStartError).message).toBe('config error: port names a port that is already in use');
    expect(pids).toHaveLength(2);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('fails the start when a worker exits before it is ready, saying how it exited', async () => {
    const failure = await pool(['exit', '7'], { size: 1 }).start().catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/^worker \d+ \(pid \d+\) exited with code 7 before it was ready$/);
  });

  it('replaces a worker that dies, and keeps its counters in the merged metrics', async () => {
    const port = await freePort();
    const workers = pool(['serve', String(port)]);
    const [victim, survivor] = await workers.start();
    for (let attempt = 0; attempt < 4; attempt++) await askWhichWorker(port);
    expect(await workers.collectMetrics()).toContain('served_total 4\n');

    const replaced = new Promise<PoolWorker>((resolve) => workers.once('worker-ready', resolve));
    const exited = once(workers, 'worker-exit');
    process.kill(victim!.pid, 'SIGKILL');
    expect(await exited).toEqual([expect.objectContaining({ pid: victim!.pid, signal: 'SIGKILL', expected: false })]);
    const replacement = await replaced;
    expect(replacement.pid).not.toBe(victim!.pid);
    expect(workers.workers.map((worker) => worker.pid).sort()).toEqual([survivor!.pid, replacement.pid].sort());

    await askWhichWorker(port);
    expect(await workers.collectMetrics()).toContain('served_total 5\n');
    expect((await workers.stop()).clean).toBe(true);
  });
});
