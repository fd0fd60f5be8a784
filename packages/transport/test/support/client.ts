import type { Duplex } from 'node:stream';
import type { CertifiedKey } from '@fleet-telemetry/dev-pki';
import WebSocket from 'ws';

export interface ClientOptions {
  readonly certificate?: CertifiedKey | undefined;
  /** The CA that verifies the server. */
  readonly ca: string;
  readonly headers?: Record<string, string> | undefined;
  /** Answer pings (default true); false plays a client that went silent. */
  readonly autoPong?: boolean | undefined;
  readonly path?: string | undefined;
}

export interface CloseEvent {
  readonly code: number;
  readonly reason: string;
}

/** A vehicle: a WebSocket client with a client certificate, collecting what the server sends. */
export class VehicleClient {
  readonly ws: WebSocket;
  readonly received: Uint8Array[] = [];
  readonly closed: Promise<CloseEvent>;
  pings = 0;
  /** The TLS socket under the WebSocket, once the upgrade response arrived. */
  transport: Duplex | undefined;
  #waiters: Array<() => void> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.once('upgrade', (response) => {
      this.transport = response.socket;
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on('message', (data: Buffer) => {
      this.received.push(new Uint8Array(data));
      this.#wake();
    });
    ws.on('ping', () => {
      this.pings += 1;
      this.#wake();
    });
    ws.on('close', () => this.#wake());
  }

  /** Connects; rejects when the handshake or the upgrade fails. */
  static connect(port: number, options: ClientOptions): Promise<VehicleClient> {
    const ws = openSocket(port, options);
    const client = new VehicleClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_request, response) =>
        reject(new Error(`unexpected response ${response.statusCode ?? 0}`)),
      );
    });
  }

  send(frame: Uint8Array | string): void {
    this.ws.send(frame);
  }

  /** Resolves once `count` messages in total have arrived. */
  async messages(count: number): Promise<Uint8Array[]> {
    await this.until(() => this.received.length >= count, `${count} messages`);
    return this.received.slice(0, count);
  }

  /** Resolves when `condition` holds, re-checked on every message, ping and close. */
  until(condition: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) {
          resolve();
          return;
        }
        if (this.ws.readyState === WebSocket.CLOSED) {
          reject(new Error(`socket closed while waiting for ${what}`));
          return;
        }
        this.#waiters.push(check);
      };
      check();
    });
  }

  close(): Promise<CloseEvent> {
    this.ws.close();
    return this.closed;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** What became of a connection attempt that may be refused. */
export type ConnectionOutcome =
  | { readonly kind: 'refused'; readonly error: Error }
  | { readonly kind: 'closed'; readonly opened: boolean; readonly code: number; readonly reason: string };

export function attemptConnection(port: number, options: ClientOptions): Promise<ConnectionOutcome> {
  const ws = openSocket(port, options);
  let opened = false;
  ws.on('open', () => (opened = true));
  return new Promise((resolve) => {
    ws.once('error', (error) => resolve({ kind: 'refused', error }));
    ws.once('close', (code, reason) => resolve({ kind: 'closed', opened, code, reason: reason.toString() }));
  });
}

function openSocket(port: number, options: ClientOptions): WebSocket {
  return new WebSocket(`wss://127.0.0.1:${port}${options.path ?? '/'}`, {
    ca: options.ca,
    cert: options.certificate?.cert,
    key: options.certificate?.key,
    headers: options.headers,
    autoPong: options.autoPong ?? true,
    perMessageDeflate: false,
  });
}

/** Resolves when `condition` holds, polling on timers (for server-side state). */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
