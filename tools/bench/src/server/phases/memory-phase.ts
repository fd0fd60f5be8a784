import type { IdleEvents, IdleProtocol, IdleSettings } from '../idle/protocol.js';
import { Child } from '../processes.js';
import type { TargetKind, TargetStats } from '../target/protocol.js';
import { loadCpu, scripts, sleep, startTarget, stopTarget, targetNames, type BenchEnvironment, type StartedTarget } from './environment.js';

export interface MemoryPhaseSpec {
  readonly kind: TargetKind;
  readonly label: string;
  readonly connections: number;
  /** Vehicle certificates the sockets share. */
  readonly certificates: number;
  /** Connections opened and closed first, so code and caches loaded by the first ones are not counted. */
  readonly warmupConnections: number;
  /** Handshakes in progress at once. */
  readonly concurrency: number;
}

export interface MemoryPhaseResult {
  readonly kind: TargetKind;
  readonly connections: number;
  readonly before: TargetStats;
  readonly after: TargetStats;
  readonly rssBytesPerConnection: number;
  /** V8 heap in use plus memory held outside it by JS objects (buffers), per connection. */
  readonly heapAndExternalBytesPerConnection: number;
  readonly rampMs: number;
  readonly problems: readonly string[];
}

/**
 * A fresh server; warm-up connections come and go; then, after garbage collection, the server's
 * memory is read before and after `connections` idle mTLS WebSockets are established (as counted
 * by the server itself), and the difference divided by their number.
 */
export async function runMemoryPhase(spec: MemoryPhaseSpec, env: BenchEnvironment): Promise<MemoryPhaseResult> {
  const title = `${targetNames[spec.kind]} idle ${spec.label}`;
  const target = await startTarget(spec.kind, env);
  try {
    if (spec.warmupConnections > 0) {
      await holdIdleConnections(spec, env, target, spec.warmupConnections, `${title} warm-up`, async () => undefined);
      await waitForConnections(target, 0, title);
    }
    const before = await target.child.request('stats', { gc: true, metrics: true }, 60_000);
    const rampStarted = performance.now();
    let rampMs = 0;
    const after = await holdIdleConnections(spec, env, target, spec.connections, title, async () => {
      rampMs = performance.now() - rampStarted;
      await waitForConnections(target, spec.connections, title);
      // Let timers and lazily allocated per-socket state settle before reading.
      await sleep(2_000);
      return target.child.request('stats', { gc: true, metrics: true }, 60_000);
    });
    if (after === undefined) throw new Error(`${title}: no reading`);
    const problems: string[] = [];
    if (after.connections !== spec.connections) problems.push(`the server counted ${after.connections} sockets, not ${spec.connections}`);
    if (spec.kind === 'telemetry' && after.numConnectionsMetric !== spec.connections) {
      problems.push(`num_connections read ${after.numConnectionsMetric ?? 'nothing'}, not ${spec.connections}`);
    }
    return {
      kind: spec.kind,
      connections: spec.connections,
      before,
      after,
      rssBytesPerConnection: (after.rssBytes - before.rssBytes) / spec.connections,
      heapAndExternalBytesPerConnection:
        (after.heapUsedBytes + after.externalBytes - before.heapUsedBytes - before.externalBytes) / spec.connections,
      rampMs,
      problems,
    };
  } finally {
    await stopTarget(target);
  }
}

/** Opens `count` idle sockets in a load process, runs `whileOpen`, then closes them. */
async function holdIdleConnections<T>(
  spec: MemoryPhaseSpec,
  env: BenchEnvironment,
  target: StartedTarget,
  count: number,
  title: string,
  whileOpen: () => Promise<T>,
): Promise<T> {
  const settings: IdleSettings = {
    url: target.url,
    pkiDir: env.pkiDir,
    connections: count,
    certificates: Math.min(spec.certificates, count),
    concurrency: spec.concurrency,
    handshakeTimeoutMs: env.handshakeTimeoutMs,
    attempts: 3,
  };
  const idle = new Child<IdleProtocol, IdleEvents>({
    label: 'idle sockets',
    script: scripts.idle,
    settings,
    cpu: env.pin ? loadCpu : undefined,
    sources: env.sources,
    // 10,000 client sockets with their TLS state need more than the default old space on small machines.
    nodeFlags: ['--max-old-space-size=4096'],
  });
  try {
    const started = performance.now();
    await idle.waitFor(
      'state',
      (state) => {
        if (state.status === 'failed') throw new Error(`${title}: ${state.reason ?? 'a socket could not be opened'}`);
        if (state.status === 'opening') {
          const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
          env.log(`  ${title.padEnd(26)} ${seconds}s open ${String(state.open).padStart(6)}/${state.target}  failed attempts ${state.failures}`);
        }
        return state.status === 'ready';
      },
      // Handshakes cost the server a few ms of CPU each, many times that on a busy machine.
      120_000 + count * 150,
      `${count} open sockets`,
    );
    const value = await whileOpen();
    await idle.request('stop', null, 30_000);
    return value;
  } finally {
    await idle.kill();
  }
}

/** Polls the server until it counts `expected` sockets (closing and registering are asynchronous). */
async function waitForConnections(target: StartedTarget, expected: number, title: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const { connections } = await target.child.request('stats', { gc: false, metrics: false }, 10_000);
    if (connections === expected) return;
    if (performance.now() > deadline) throw new Error(`${title}: the server counts ${connections} sockets, expected ${expected}`);
    await sleep(250);
  }
}
