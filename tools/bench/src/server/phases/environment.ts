import { resolve } from 'node:path';
import { Child } from '../processes.js';
import type { TargetEvents, TargetKind, TargetProtocol, TargetSettings } from '../target/protocol.js';

const scriptsDir = resolve(import.meta.dirname, '..');
export const scripts = {
  target: resolve(scriptsDir, 'target', 'main.ts'),
  load: resolve(scriptsDir, 'load', 'main.ts'),
  idle: resolve(scriptsDir, 'idle', 'main.ts'),
} as const;

/** What every phase of a benchmark shares. */
export interface BenchEnvironment {
  readonly pkiDir: string;
  readonly host: string;
  /** Server on CPU 0, load generators on CPU 1. */
  readonly pin: boolean;
  /** Workspace packages from their TypeScript sources instead of their builds. */
  readonly sources: boolean;
  readonly reliableAck: boolean;
  readonly connectRate: number;
  readonly handshakeTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly maxBufferedBytes: number;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
}

export const serverCpu = 0;
export const loadCpu = 1;

export interface StartedTarget {
  readonly child: Child<TargetProtocol, TargetEvents>;
  readonly url: string;
}

export const targetNames: Readonly<Record<TargetKind, string>> = { telemetry: 'ours', echo: 'echo' };

/** Starts a server child and waits until it listens. */
export async function startTarget(kind: TargetKind, env: BenchEnvironment): Promise<StartedTarget> {
  const settings: TargetSettings = { kind, pkiDir: env.pkiDir, host: env.host, reliableAck: env.reliableAck };
  const child = new Child<TargetProtocol, TargetEvents>({
    label: `${targetNames[kind]} server`,
    script: scripts.target,
    settings,
    cpu: env.pin ? serverCpu : undefined,
    nodeFlags: ['--expose-gc'],
    sources: env.sources,
  });
  try {
    const { port } = await child.waitFor('ready', () => true, 60_000, 'listening socket');
    return { child, url: `wss://${env.host}:${port}` };
  } catch (error) {
    await child.kill();
    throw error;
  }
}

/** Asks the server to close, and makes sure it is gone. */
export async function stopTarget(target: StartedTarget): Promise<void> {
  try {
    if (target.child.running) await target.child.request('stop', null, 15_000);
  } catch {
    // Killed below either way.
  }
  await target.child.kill();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
