// The messages a pool's primary and its workers exchange over the cluster IPC channel. Every
// message is tagged so that messages of other code sharing the channel are left alone.

const TAG = 'fleet-telemetry-cluster';

/** Set in a worker's environment by the pool that forked it. */
export const POOL_WORKER_ENV = 'FLEET_TELEMETRY_POOL_WORKER';

export type WorkerMessage =
  | { readonly tag: typeof TAG; readonly kind: 'ready'; readonly details: Readonly<Record<string, unknown>> }
  | { readonly tag: typeof TAG; readonly kind: 'start-failed'; readonly message: string }
  | { readonly tag: typeof TAG; readonly kind: 'metrics'; readonly requestId: number; readonly text?: string; readonly error?: string };

export type PrimaryMessage =
  | { readonly tag: typeof TAG; readonly kind: 'shutdown' }
  | { readonly tag: typeof TAG; readonly kind: 'metrics-request'; readonly requestId: number };

type Untagged<T> = T extends unknown ? Omit<T, 'tag'> : never;

export function workerMessage(message: Untagged<WorkerMessage>): WorkerMessage {
  return { tag: TAG, ...message } as WorkerMessage;
}

export function primaryMessage(message: Untagged<PrimaryMessage>): PrimaryMessage {
  return { tag: TAG, ...message } as PrimaryMessage;
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return isTagged(value);
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return isTagged(value);
}

function isTagged(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { tag?: unknown }).tag === TAG;
}
