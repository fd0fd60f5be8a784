import { EventEmitter, once } from 'node:events';
import { createServer, type Server as HttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, type TLSSocket } from 'node:tls';
import type { SlidingWindowRateLimiter } from '@fleet-telemetry/rate-limiter';
import type { AckOutcome } from '@fleet-telemetry/sink-api';
import type { MeterProvider, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { metrics as otelMetrics } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ConnectionInfo, DisconnectionInfo } from '../connection/connection-info.js';
import { resolveSocketLimits, type SocketLimits } from '../connection/limits.js';
import { socketIdFromHeader } from '../connection/socket-id.js';
import { TelemetrySocket } from '../connection/telemetry-socket.js';
import type { TransportDispatcher } from '../dispatcher.js';
import { identityFromCertificate, type IdentityResult } from '../identity/identity.js';
import { createTransportMetrics, meterName, type TransportMetrics } from '../metrics.js';
import { connectivityRecord, connectivityRecordType, type ConnectivityStatus } from './connectivity.js';
import { SocketRegistry } from './socket-registry.js';

/** The keepalive sweep runs at least this often, so pings stay close to their interval. */
const maxKeepaliveSweepMs = 1_000;

/** The most VINs `vinsSignalTracking` may name (one metric series per VIN and record type). */
export const maxTrackedVins = 20;

export interface TelemetryServerOptions {
  /** Server key material and client CA trust: see `createTlsOptions`. */
  readonly tls: HttpsServerOptions;
  /** Where records go (the sink-api `RecordRouter`, or any `RecordDispatcher`). */
  readonly dispatcher: TransportDispatcher;
  readonly logger?: Logger | undefined;
  /** Default: the global meter provider. */
  readonly meterProvider?: MeterProvider | undefined;
  /** Per-socket frame rate limit (`rateLimiterFromConfig(config.rate_limit)`); none when absent. */
  readonly rateLimiter?: SlidingWindowRateLimiter<string> | undefined;
  /** `transmit_decoded_records`: hand sinks canonical proto JSON instead of protobuf. */
  readonly transmitDecodedRecords?: boolean | undefined;
  /** `vins_signal_tracking_enabled`: VINs counted in `vin_signal_count` (at most 20). */
  readonly vinsSignalTracking?: readonly string[] | undefined;
  /**
   * Dispatch a `connectivity` record on every connect and disconnect when the dispatcher routes
   * that record type (default true), as the reference server does.
   */
  readonly connectivityEvents?: boolean | undefined;
  /** Default: the `SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING` environment variable. */
  readonly suppressTlsHandshakeErrorLogging?: boolean | undefined;
  readonly limits?: Partial<SocketLimits> | undefined;
}

export interface CloseOptions {
  /** How long to wait for records already read to be confirmed before closing sockets (default 10 s). */
  readonly drainTimeoutMs?: number;
}

interface ServerEvents {
  connected: [ConnectionInfo];
  disconnected: [DisconnectionInfo];
}

/**
 * The vehicle-facing server: HTTPS with mandatory client certificates, `GET /status`, and a
 * WebSocket on every other path. Each socket's identity comes from its certificate; its frames go
 * through the frame pipeline to the dispatcher.
 *
 * Events: `connected` when a socket with a valid identity is registered, `disconnected` when it
 * is gone. When the dispatcher routes `connectivity`, the matching connectivity records are
 * dispatched too (disable with `connectivityEvents: false` to do it yourself with
 * `connectivityRecord`).
 */
export class TelemetryServer extends EventEmitter<ServerEvents> {
  readonly #options: TelemetryServerOptions;
  readonly #https: HttpsServer;
  readonly #wss: WebSocketServer;
  readonly #registry = new SocketRegistry<TelemetrySocket>();
  readonly #logger: Logger;
  readonly #metrics: TransportMetrics;
  readonly #limits: SocketLimits;
  readonly #trackedVins: ReadonlySet<string>;
  readonly #suppressHandshakeErrors: boolean;
  readonly #connectionGauge: ObservableGauge;
  readonly #observeConnections = (result: ObservableResult): void => result.observe(this.#registry.size);
  readonly #unsubscribeDrain: () => void;
  /** One timer pings every socket when it is due; see `#sweepKeepalive`. */
  readonly #keepaliveSweep: NodeJS.Timeout;
  #saturated = false;
  #closing: Promise<void> | undefined;
  #pendingWaiters = new Set<() => void>();
  #connectionSerial = 0;

  constructor(options: TelemetryServerOptions) {
    super();
    const tracked = options.vinsSignalTracking ?? [];
    if (tracked.length > maxTrackedVins) {
      throw new RangeError(`vinsSignalTracking names ${tracked.length} VINs; at most ${maxTrackedVins} are allowed`);
    }
    this.#options = options;
    this.#trackedVins = new Set(tracked);
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#limits = resolveSocketLimits(options.limits);
    this.#suppressHandshakeErrors =
      options.suppressTlsHandshakeErrorLogging ?? parseGoBool(process.env.SUPPRESS_TLS_HANDSHAKE_ERROR_LOGGING);
    const meterProvider = options.meterProvider ?? otelMetrics.getMeterProvider();
    this.#metrics = createTransportMetrics(meterProvider);
    this.#connectionGauge = meterProvider.getMeter(meterName).createObservableGauge('num_connections', {
      description: 'The number of connected sockets.',
    });
    this.#connectionGauge.addCallback(this.#observeConnections);

    this.#https = createServer(options.tls, (request, response) => this.#onRequest(request, response));
    this.#https.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) =>
      this.#onUpgrade(request, socket, head),
    );
    this.#https.on('tlsClientError', (error, socket) => {
      if (this.#suppressHandshakeErrors) return;
      this.#logger.warn({ err: error, remote_ip: socket.remoteAddress }, 'tls_handshake_error');
    });
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.#limits.maxPayloadBytes,
      // Vehicles do not negotiate compression; keeping it off keeps memory per socket predictable.
      perMessageDeflate: false,
    });
    this.#unsubscribeDrain = options.dispatcher.onDrain(() => this.#onDispatcherDrained());
    // Each socket is pinged between pingIntervalMs and one sweep period after its last ping.
    const sweepMs = Math.min(this.#limits.pingIntervalMs, maxKeepaliveSweepMs);
    this.#keepaliveSweep = setInterval(this.#sweepKeepalive, sweepMs);
    this.#keepaliveSweep.unref();
  }

  /** Starts listening; resolves with the bound address. */
  async listen(port: number, host?: string): Promise<AddressInfo> {
    this.#https.listen(port, host);
    await once(this.#https, 'listening');
    return this.address as AddressInfo;
  }

  get address(): AddressInfo | undefined {
    const address = this.#https.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  /** Live sockets. */
  get connectionCount(): number {
    return this.#registry.size;
  }

  /** The live socket with this id (the newest one, should two share it). */
  socket(socketId: string): TelemetrySocket | undefined {
    return this.#registry.get(socketId);
  }

  /** A snapshot of the live sockets. */
  sockets(): TelemetrySocket[] {
    return [...this.#registry];
  }

  /**
   * Replaces the TLS key material and CA trust for new connections (certificate rotation);
   * connected sockets are not touched. The material is checked first: if OpenSSL refuses it (a
   * key that does not match the certificate, a PEM that does not parse), this throws and the
   * current context stays in use. `TlsReloader` calls this when the files change.
   */
  setSecureContext(tls: HttpsServerOptions): void {
    // https.Server#setSecureContext stores the options before building the context, so a failure
    // there would leave them half replaced: build it once here first.
    createSecureContext(tls);
    this.#https.setSecureContext(tls);
  }

  /** The underlying HTTPS server, e.g. to tune timeouts. */
  get httpsServer(): HttpsServer {
    return this.#https;
  }

  /**
   * Graceful shutdown: stops accepting connections and reading frames, waits (at most
   * `drainTimeoutMs`) for records already read to be confirmed so their acks go out, then closes
   * every socket (each emits `disconnected`). Idempotent.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.drainTimeoutMs ?? 10_000);
    return this.#closing;
  }

  async #shutdown(drainTimeoutMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#https.close(() => resolve()));
    this.#https.closeIdleConnections();
    clearInterval(this.#keepaliveSweep);
    for (const socket of this.#registry) socket.pause('shutdown');
    await this.#waitForAcks(drainTimeoutMs);
    await Promise.all(this.sockets().map((socket) => socket.close(1001, 'server shutting down')));
    this.#https.closeAllConnections();
    await stopped;
    this.#wss.close();
    this.#unsubscribeDrain();
    this.#connectionGauge.removeCallback(this.#observeConnections);
  }

  #waitForAcks(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#pendingWaiters.delete(check);
        resolve();
      };
      const check = (): void => {
        if (this.sockets().every((socket) => socket.pendingAcks === 0)) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#pendingWaiters.add(check);
      check();
    });
  }

  #onRequest(request: IncomingMessage, response: ServerResponse): void {
    if (isStatusPath(request)) {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('mtls ok');
      return;
    }
    response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('websocket upgrade required');
  }

  #onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    if (this.#closing !== undefined) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (isStatusPath(request)) {
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 7\r\n\r\nmtls ok');
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request));
  }

  #accept(ws: WebSocket, request: IncomingMessage): void {
    // Read what is needed here: the closures created below live as long as the socket, and one
    // that captured the request would keep it (headers, parser state) alive with them.
    const tlsSocket = request.socket as TLSSocket;
    this.#open(ws, tlsSocket, identityOf(tlsSocket), requestLogOf(request, tlsSocket));
  }

  #open(ws: WebSocket, tlsSocket: TLSSocket, identity: IdentityResult, requestLog: RequestLog): void {
    const socketId = requestLog.socket_id;
    if (!identity.ok) {
      this.#logger.error(
        {
          ...requestLog,
          reason: identity.reason,
          issuer: identity.issuerCommonName,
          common_name: identity.subjectCommonName,
        },
        'extract_sender_id_err',
      );
      ws.on('error', (error) => this.#logger.debug({ err: error, socket_id: socketId }, 'socket_err'));
      ws.close(1008, identity.reason);
      setTimeout(() => ws.terminate(), this.#limits.closeTimeoutMs).unref();
      return;
    }

    const info: ConnectionInfo = {
      ...identity.identity,
      socketId,
      networkInterface: requestLog.network_interface,
      version: requestLog.version,
      userAgent: requestLog.user_agent,
      forwardedFor: requestLog['X-Forwarded-For'],
      remoteAddress: tlsSocket.remoteAddress ?? '',
      connectedAt: Date.now(),
    };
    const rateLimiter = this.#options.rateLimiter;
    // Socket ids can repeat; the limiter key must not.
    const rateLimitKey = `${socketId}#${(this.#connectionSerial += 1)}`;
    const rateLimit = rateLimiter?.forKey(rateLimitKey);
    const socket = new TelemetrySocket({
      ws,
      transport: tlsSocket,
      info,
      dispatcher: this.#options.dispatcher,
      metrics: this.#metrics,
      logger: this.#logger,
      limits: this.#limits,
      encoding: this.#options.transmitDecodedRecords === true ? 'json' : 'protobuf',
      trackedVins: this.#trackedVins,
      admitFrame: rateLimit === undefined ? undefined : () => rateLimit.tryAcquire(),
      afterFrame: this.#checkSaturation,
      onPendingChanged: this.#onPendingChanged,
      onClosed: (closed, disconnection) => {
        rateLimiter?.delete(rateLimitKey);
        this.#registry.delete(closed);
        this.#dispatchConnectivity(disconnection, 'disconnected');
        this.emit('disconnected', disconnection);
        this.#onPendingChanged();
      },
    });
    this.#registry.add(socket);
    this.#logger.info(
      { ...requestLog, device_id: info.deviceId, sender_id: info.senderId, client_type: info.clientType },
      'socket_connected',
    );
    this.#dispatchConnectivity(info, 'connected');
    this.emit('connected', info);
    if (this.#saturated) socket.pause('dispatcher');
    socket.start();
  }

  #dispatchConnectivity(connection: ConnectionInfo, status: ConnectivityStatus): void {
    const { dispatcher, connectivityEvents } = this.#options;
    const onAck = (outcome: AckOutcome): void => {
      if (outcome.ok) return;
      this.#logger.warn(
        { err: outcome.error, sink: outcome.sink, socket_id: connection.socketId, event: status },
        'connectivity_not_written',
      );
    };
    try {
      if (connectivityEvents === false || !dispatcher.hasRoute(connectivityRecordType)) return;
      const encoding = this.#options.transmitDecodedRecords === true ? 'json' : 'protobuf';
      dispatcher.dispatch(connectivityRecord(connection, status, { encoding }), onAck);
    } catch (error) {
      // The connection itself is fine: a connectivity record that cannot be dispatched is only logged.
      this.#logger.error({ err: error, device_id: connection.deviceId, event: status }, 'connectivity_dispatch_error');
    }
  }

  // Arrow functions: every socket is handed the same two callbacks, not a pair of closures each.
  readonly #checkSaturation = (): void => {
    if (this.#saturated || !isSaturated(this.#options.dispatcher, this.#logger)) return;
    this.#saturated = true;
    this.#logger.warn({ sockets: this.#registry.size }, 'dispatcher_saturated_pausing_reads');
    for (const socket of this.#registry) socket.pause('dispatcher');
  };

  // setImmediate: after an event-loop stall, pongs already received are read before the idle check.
  readonly #sweepKeepalive = (): void => {
    setImmediate(() => {
      const now = Date.now();
      for (const socket of this.#registry) socket.keepAlive(now);
    });
  };

  #onDispatcherDrained(): void {
    if (!this.#saturated) return;
    this.#saturated = false;
    this.#logger.info({ sockets: this.#registry.size }, 'dispatcher_drained_resuming_reads');
    for (const socket of this.#registry) socket.resume('dispatcher');
  }

  readonly #onPendingChanged = (): void => {
    for (const check of this.#pendingWaiters) check();
  };
}

function isSaturated(dispatcher: TransportDispatcher, logger: Logger): boolean {
  try {
    return dispatcher.isSaturated();
  } catch (error) {
    logger.error({ err: error }, 'dispatcher_saturation_check_error');
    return false;
  }
}

function identityOf(tlsSocket: TLSSocket): IdentityResult {
  const leaf = tlsSocket.getPeerX509Certificate();
  if (leaf === undefined) {
    return { ok: false, reason: 'unauthorized-certificate', issuerCommonName: '', subjectCommonName: '' };
  }
  try {
    return identityFromCertificate(leaf);
  } catch {
    return { ok: false, reason: 'unauthorized-certificate', issuerCommonName: '', subjectCommonName: '' };
  }
}

/** What the `socket_connected` log line says about an upgrade request. */
interface RequestLog {
  readonly socket_id: string;
  readonly txid: string;
  readonly network_interface: string;
  readonly version: string;
  readonly user_agent: string;
  readonly 'X-Forwarded-For': string;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly remote_ip: string | undefined;
}

function requestLogOf(request: IncomingMessage, tlsSocket: TLSSocket): RequestLog {
  const header = (name: string): string => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  };
  const socketId = socketIdFromHeader(request.headers['x-txid'] === undefined ? undefined : header('x-txid'));
  return {
    socket_id: socketId,
    txid: socketId,
    network_interface: header('x-network-interface'),
    version: header('version'),
    user_agent: header('user-agent'),
    'X-Forwarded-For': header('x-forwarded-for'),
    method: request.method,
    path: request.url,
    remote_ip: tlsSocket.remoteAddress,
  };
}

function isStatusPath(request: IncomingMessage): boolean {
  const path = (request.url ?? '/').split('?')[0];
  return path === '/status';
}

/** Go's strconv.ParseBool truth values, as the reference reads the environment. */
function parseGoBool(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}
