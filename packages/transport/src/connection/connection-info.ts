import type { ClientIdentity } from '../identity/identity.js';

/** A connected client, as announced by the server's `connected` event. */
export interface ConnectionInfo extends ClientIdentity {
  readonly socketId: string;
  /** The `X-Network-Interface` header (`wifi`, `cellular`, ...); empty when absent. */
  readonly networkInterface: string;
  /** The `Version` header: the device client version; empty when absent. */
  readonly version: string;
  readonly userAgent: string;
  /** The `X-Forwarded-For` header when a proxy sits in front; empty otherwise. */
  readonly forwardedFor: string;
  readonly remoteAddress: string;
  /** Epoch milliseconds. */
  readonly connectedAt: number;
}

/** A client that went away, as announced by the server's `disconnected` event. */
export interface DisconnectionInfo extends ConnectionInfo {
  /** Epoch milliseconds. */
  readonly disconnectedAt: number;
  /** The WebSocket close code (1006 when the connection just dropped). */
  readonly closeCode: number;
  /** Payload bytes dispatched, by record type. */
  readonly bytesByRecordType: Readonly<Record<string, number>>;
}
