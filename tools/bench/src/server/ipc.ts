/**
 * Requests and events between the benchmark and its child processes, over Node's IPC channel.
 * A protocol maps each method to its parameters and result; events flow from child to parent.
 */

export type Protocol = Record<string, { params: unknown; result: unknown }>;
export type Events = Record<string, unknown>;

export type Handlers<P extends Protocol> = {
  [M in keyof P]: (params: P[M]['params']) => P[M]['result'] | Promise<P[M]['result']>;
};

export interface RequestMessage {
  readonly type: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
}

export interface ResponseMessage {
  readonly type: 'response';
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

export interface EventMessage {
  readonly type: 'event';
  readonly name: string;
  readonly data: unknown;
}

export type ChildMessage = ResponseMessage | EventMessage;

export function isChildMessage(message: unknown): message is ChildMessage {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  return type === 'response' || type === 'event';
}

function isRequest(message: unknown): message is RequestMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'request';
}

function send(message: ChildMessage): void {
  // A parent that went away cannot be told anything; the disconnect handler ends this process.
  if (process.connected) process.send?.(message);
}

/** Child side: tells the parent something happened. */
export function emitToParent<E extends Events, N extends keyof E & string>(name: N, data: E[N]): void {
  send({ type: 'event', name, data });
}

/**
 * Child side: answers the parent's requests with `handlers`. The child exits when its parent
 * disconnects, so a benchmark that dies never leaves servers or load generators behind.
 */
export function serveParent<P extends Protocol>(handlers: Handlers<P>): void {
  if (process.send === undefined) throw new Error('this script runs as a child process of the server benchmark');
  process.on('disconnect', () => process.exit(3));
  process.on('message', (message: unknown) => {
    if (!isRequest(message)) return;
    const handler = (handlers as Record<string, ((params: unknown) => unknown) | undefined>)[message.method];
    if (handler === undefined) {
      send({ type: 'response', id: message.id, ok: false, error: `unknown method ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.params))
      .then(
        (value) => send({ type: 'response', id: message.id, ok: true, value }),
        (error: unknown) =>
          send({ type: 'response', id: message.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
      );
  });
}

/** Child side: the JSON settings the parent passed as the first argument. */
export function settingsFromArgv<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('missing settings argument');
  return JSON.parse(raw) as T;
}
