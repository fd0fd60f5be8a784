import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';

export interface ProbeOptions {
  /** The name vehicles use: sent as SNI (unless it is an IP address). */
  readonly hostname: string;
  readonly port: number;
  /** Where to connect instead of resolving `hostname` (a load balancer's IP, a staging host). */
  readonly address?: string | undefined;
  /** The CA certificates vehicles trust (PEM). */
  readonly ca: readonly string[];
  /** A client certificate and key to offer; none is offered without them. */
  readonly clientCertificate?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  readonly timeoutMs: number;
}

/** A completed handshake: what the server presented and what OpenSSL made of it. */
export interface Handshake {
  readonly kind: 'handshake';
  /** Leaf first, then each issuer OpenSSL found: sent by the server or taken from the CA. */
  readonly chain: readonly X509Certificate[];
  /** The chain verified against the CA (names are checked separately). */
  readonly chainVerified: boolean;
  /** OpenSSL's reason when it did not, e.g. `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`. */
  readonly verifyError: string | undefined;
  readonly protocol: string | undefined;
  readonly cipher: string | undefined;
  readonly remoteAddress: string | undefined;
}

/** Why no handshake happened. */
export interface ProbeFailure {
  readonly kind: 'failed';
  /** `connect`: no TCP connection; `handshake`: connected, but no TLS handshake completed. */
  readonly stage: 'connect' | 'handshake';
  /** The error code (`ECONNREFUSED`, `ERR_SSL_WRONG_VERSION_NUMBER`, `TIMEOUT`, ...). */
  readonly code: string;
  readonly message: string;
}

export type ProbeResult = Handshake | ProbeFailure;

/**
 * Opens a TLS connection like a vehicle: SNI = the host name, the given CA as the only trust, a
 * client certificate only when one is given. It never refuses the server itself, so the caller can
 * explain what is wrong; the connection is closed as soon as the handshake is done.
 */
export function probeServer(options: ProbeOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let tcpConnected = false;
    let settled = false;
    const socket: TLSSocket = connect({
      host: options.address ?? options.hostname,
      port: options.port,
      // RFC 6066 allows no IP address as a server name.
      servername: isIP(options.hostname) === 0 ? options.hostname : undefined,
      // An empty list too is "these and nothing else": Node's built-in roots are never consulted.
      ca: [...options.ca],
      cert: options.clientCertificate?.cert,
      key: options.clientCertificate?.key,
      rejectUnauthorized: false,
      // Names are checked by the caller, against the subjectAltName only, as modern clients do.
      checkServerIdentity: () => undefined,
    });
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        finish({
          kind: 'failed',
          stage: tcpConnected ? 'handshake' : 'connect',
          code: 'TIMEOUT',
          message: `no ${tcpConnected ? 'TLS handshake' : 'connection'} within ${options.timeoutMs / 1000} s`,
        }),
      options.timeoutMs,
    );
    socket.once('connect', () => (tcpConnected = true));
    socket.once('secureConnect', () => {
      const verifyError = socket.authorizationError;
      finish({
        kind: 'handshake',
        chain: peerChain(socket),
        chainVerified: socket.authorized,
        verifyError: verifyError === undefined ? undefined : String(verifyError),
        protocol: socket.getProtocol() ?? undefined,
        cipher: socket.getCipher()?.name,
        remoteAddress: socket.remoteAddress,
      });
    });
    // After the handshake a server may still drop a client it does not like (TLS 1.3 sends the
    // client certificate after the server's Finished): that is no concern of this check.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        kind: 'failed',
        stage: tcpConnected ? 'handshake' : 'connect',
        code: error.code ?? 'ERROR',
        message: error.message,
      }),
    );
    socket.once('close', () =>
      finish({
        kind: 'failed',
        stage: tcpConnected ? 'handshake' : 'connect',
        code: 'ECONNRESET',
        message: 'the connection was closed before the TLS handshake completed',
      }),
    );
  });
}

/** The peer's certificate and the issuers Node linked to it, leaf first, without repeats. */
function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (current?.raw !== undefined && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    chain.push(new X509Certificate(current.raw));
    current = current.issuerCertificate;
  }
  return chain;
}
