import { createHash, X509Certificate } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { metrics as otelMetrics, type Counter, type MeterProvider } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import { meterName } from '../metrics.js';
import { DirectoryWatcher } from './directory-watcher.js';
import { readTlsFileContents, tlsMaterialFrom, TlsMaterialError, type TlsFileContents } from './material.js';
import { splitPemCertificates, type TelemetryTlsOptions, type TlsFiles } from './options.js';

/** What takes new TLS material: a `TelemetryServer`, or any `https`/`tls` server. */
export interface TlsReloadTarget {
  setSecureContext(tls: TelemetryTlsOptions): void;
}

export interface TlsReloaderOptions {
  /** The files to watch, as given to `createTlsOptions`. */
  readonly files: TlsFiles;
  readonly target: TlsReloadTarget;
  /** The material the target uses now; files holding the same are not applied again. */
  readonly current: TelemetryTlsOptions;
  readonly logger?: Logger | undefined;
  /** Default: the global meter provider. */
  readonly meterProvider?: MeterProvider | undefined;
  /** Quiet time after the last file change before reloading (default 500 ms). */
  readonly debounceMs?: number | undefined;
  /**
   * Also re-read the files this often, for file systems that report no changes (NFS, some FUSE
   * mounts). Unchanged files cost one read each. Default 60 000 ms; 0 turns it off.
   */
  readonly pollIntervalMs?: number | undefined;
}

/** The server certificate now in use, after a reload. */
export interface TlsReloadInfo {
  readonly serialNumber: string;
  readonly fingerprint256: string;
  readonly subject: string;
  /** End of validity, ISO 8601. */
  readonly notAfter: string;
  /** Trusted client CAs (Tesla's bundle plus `caFile`). */
  readonly clientCaCount: number;
}

export type TlsReloadOutcome = 'reloaded' | 'unchanged' | 'failed';

interface ReloaderEvents {
  /** New material is in use for new handshakes. */
  reloaded: [TlsReloadInfo];
  /** Changed files that cannot be used; the current material stays. */
  failed: [TlsMaterialError];
}

/**
 * Keeps a server's certificate, key and client CAs in step with their files, without a restart:
 * connected clients keep their sessions, new handshakes get the new material.
 *
 * It watches the files' directories (see `DirectoryWatcher`), waits for writes to settle, re-reads
 * every file and, when their contents changed, checks them (`readTlsMaterial`) before handing
 * them to the target. Files that cannot be used, and a certificate that has already expired while
 * the current one has not, are logged (`tls_reload_failed`, naming the file and why) and left
 * alone until they change again; the current material stays in use.
 *
 * Logs `tls_reloaded` and counts `tls_reload_total{result="success"|"failure"}`.
 */
export class TlsReloader extends EventEmitter<ReloaderEvents> {
  readonly #options: TlsReloaderOptions;
  readonly #logger: Logger;
  readonly #reloads: Counter<{ result: 'success' | 'failure' }>;
  readonly #watcher: DirectoryWatcher;
  readonly #poll: NodeJS.Timeout | undefined;
  readonly #initialCheck: NodeJS.Immediate;
  /** What the target uses. */
  #applied: TelemetryTlsOptions;
  #appliedDigest: string;
  /** The file contents last looked at, applied or refused: the same bytes are not judged twice. */
  #seenDigest: string | undefined;
  #closed = false;

  constructor(options: TlsReloaderOptions) {
    super();
    this.#options = options;
    this.#logger = options.logger ?? pino({ level: 'silent' });
    const meterProvider = options.meterProvider ?? otelMetrics.getMeterProvider();
    this.#reloads = meterProvider.getMeter(meterName).createCounter('tls_reload_total', {
      description: 'TLS material reloads after the certificate, key or CA files changed, by result.',
    });
    this.#applied = options.current;
    this.#appliedDigest = optionsDigest(options.current);
    const { serverCert, serverKey, caFile } = options.files;
    const files = caFile === undefined ? [serverCert, serverKey] : [serverCert, serverKey, caFile];
    this.#watcher = new DirectoryWatcher(files, () => this.check(), {
      debounceMs: options.debounceMs ?? 500,
      onError: (error, directory) => this.#logger.warn({ err: error, directory }, 'tls_watch_error'),
    });
    const pollIntervalMs = options.pollIntervalMs ?? 60_000;
    if (pollIntervalMs > 0) {
      this.#poll = setInterval(() => {
        this.#watcher.refresh();
        this.check();
      }, pollIntervalMs).unref();
    }
    // The files may have changed since `current` was read; look once listeners can hear about it.
    this.#initialCheck = setImmediate(() => this.check());
  }

  /** The directories being watched. */
  get watchedDirectories(): string[] {
    return this.#watcher.directories;
  }

  /** Re-reads the files now (e.g. on SIGHUP) and applies them if they changed and are usable. */
  check(): TlsReloadOutcome {
    if (this.#closed) return 'unchanged';
    const { files } = this.#options;
    let contents: TlsFileContents;
    try {
      contents = readTlsFileContents(files);
    } catch (error) {
      // An unreadable file is judged once per distinct error, not on every poll.
      return this.#refuse(error, `unreadable:${String(error)}`);
    }
    const seen = contentsDigest(contents);
    if (seen === this.#seenDigest) return 'unchanged';
    let material: TelemetryTlsOptions;
    try {
      material = tlsMaterialFrom(files, contents);
    } catch (error) {
      return this.#refuse(error, seen);
    }
    const expired = expiredRenewal(material, this.#applied, Date.now());
    if (expired !== undefined) {
      return this.#refuse(new TlsMaterialError('server_cert', files.serverCert, expired), seen);
    }
    this.#seenDigest = seen;
    const digest = optionsDigest(material);
    if (digest === this.#appliedDigest) return 'unchanged';
    try {
      this.#options.target.setSecureContext(material);
    } catch (error) {
      const reason = `was refused by the listener: ${error instanceof Error ? error.message : String(error)}`;
      return this.#refuse(new TlsMaterialError('server_cert', files.serverCert, reason), seen);
    }
    const previousSerial = this.#appliedSerial();
    this.#applied = material;
    this.#appliedDigest = digest;
    const info = describe(material);
    this.#reloads.add(1, { result: 'success' });
    this.#logger.info(
      {
        server_cert: files.serverCert,
        serial: info.serialNumber,
        previous_serial: previousSerial,
        fingerprint256: info.fingerprint256,
        subject: info.subject,
        not_after: info.notAfter,
        client_cas: info.clientCaCount,
      },
      'tls_reloaded',
    );
    this.emit('reloaded', info);
    return 'reloaded';
  }

  /** Stops watching. */
  close(): void {
    this.#closed = true;
    clearImmediate(this.#initialCheck);
    clearInterval(this.#poll);
    this.#watcher.close();
  }

  #refuse(cause: unknown, seen: string): TlsReloadOutcome {
    if (seen === this.#seenDigest) return 'unchanged';
    this.#seenDigest = seen;
    // Whatever went wrong, it must not take the server down: the current material stays.
    const error =
      cause instanceof TlsMaterialError
        ? cause
        : new TlsMaterialError('server_cert', this.#options.files.serverCert, `cannot be used: ${String(cause)}`);
    this.#reloads.add(1, { result: 'failure' });
    this.#logger.error(
      { file: `tls.${error.file}`, path: error.path, reason: error.reason, kept_serial: this.#appliedSerial() },
      'tls_reload_failed',
    );
    this.emit('failed', error);
    return 'failed';
  }

  #appliedSerial(): string | undefined {
    try {
      return describe(this.#applied).serialNumber;
    } catch {
      return undefined;
    }
  }
}

function describe(material: TelemetryTlsOptions): TlsReloadInfo {
  const [leafPem] = splitPemCertificates(material.cert.toString());
  const leaf = new X509Certificate(leafPem ?? material.cert);
  return {
    serialNumber: leaf.serialNumber,
    fingerprint256: leaf.fingerprint256,
    subject: leaf.subject,
    notAfter: new Date(leaf.validTo).toISOString(),
    clientCaCount: material.ca.length,
  };
}

/**
 * Why a renewal must wait, when its certificate has already expired while the one in use has not:
 * applying it would turn a working server into one every vehicle refuses. A renewal that is no
 * worse than what is in use goes through.
 */
function expiredRenewal(renewal: TelemetryTlsOptions, current: TelemetryTlsOptions, now: number): string | undefined {
  const renewalEnd = Date.parse(describe(renewal).notAfter);
  if (renewalEnd > now) return undefined;
  let currentEnd: number;
  try {
    currentEnd = Date.parse(describe(current).notAfter);
  } catch {
    return undefined;
  }
  if (currentEnd <= now) return undefined;
  const expiredOn = new Date(renewalEnd).toISOString();
  const validUntil = new Date(currentEnd).toISOString();
  return `holds a certificate that expired on ${expiredOn}; the current one, valid until ${validUntil}, stays in use`;
}

function contentsDigest(contents: TlsFileContents): string {
  return digest([contents.cert, contents.key, contents.ca ?? '']);
}

function optionsDigest(options: TelemetryTlsOptions): string {
  return digest([options.cert, options.key, ...options.ca]);
}

function digest(parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part) : part;
    // Length-prefixed, so moving bytes from one part to the next changes the digest.
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}
