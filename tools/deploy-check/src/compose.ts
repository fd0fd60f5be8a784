import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

/** The parts of a compose service these checks read. */
export interface ComposeService {
  readonly image?: string;
  readonly build?: string | { readonly context?: string; readonly dockerfile?: string };
  readonly ports?: readonly (string | number | { readonly target: number; readonly published?: string | number; readonly protocol?: string })[];
  readonly volumes?: readonly (string | { readonly type?: string; readonly source?: string; readonly target: string })[];
  readonly env_file?: string | readonly string[];
  readonly environment?: Record<string, string | number | boolean | null> | readonly string[];
  readonly depends_on?: readonly string[] | Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export function readComposeFile(file: string): ComposeFile {
  return parse(readFileSync(file, 'utf8')) as ComposeFile;
}

export interface PublishedPort {
  readonly host: number;
  readonly container: number;
  readonly protocol: string;
}

/** Ports a service publishes on the host (`"8080:80"`, `"127.0.0.1:8080:80/udp"`, long syntax). */
export function publishedPorts(service: ComposeService): PublishedPort[] {
  const ports: PublishedPort[] = [];
  for (const entry of service.ports ?? []) {
    if (typeof entry === 'object') {
      if (entry.published !== undefined) ports.push({ host: Number(entry.published), container: entry.target, protocol: entry.protocol ?? 'tcp' });
      continue;
    }
    const [mapping = '', protocol = 'tcp'] = String(entry).split('/');
    const parts = mapping.split(':');
    // A bare container port is published on a random host port: nothing to collide with.
    if (parts.length < 2) continue;
    ports.push({ host: Number(parts.at(-2)), container: Number(parts.at(-1)), protocol });
  }
  return ports;
}

export interface BindMount {
  readonly source: string;
  readonly target: string;
}

/** Host paths a service mounts (bind mounts; named volumes are skipped), resolved against the compose file's folder. */
export function bindMounts(service: ComposeService, composeDirectory: string): BindMount[] {
  const mounts: BindMount[] = [];
  for (const entry of service.volumes ?? []) {
    if (typeof entry === 'object') {
      if (entry.type === 'bind' && entry.source !== undefined) mounts.push({ source: resolve(composeDirectory, entry.source), target: entry.target });
      continue;
    }
    const [source = '', target = ''] = entry.split(':');
    if (source.startsWith('.') || isAbsolute(source)) mounts.push({ source: resolve(composeDirectory, source), target });
  }
  return mounts;
}

/** Every local path a service refers to: build context and Dockerfile, bind mounts, env files. */
export function localPaths(service: ComposeService, composeDirectory: string): string[] {
  const paths: string[] = [];
  if (typeof service.build === 'string') paths.push(resolve(composeDirectory, service.build));
  else if (service.build !== undefined) {
    const context = resolve(composeDirectory, service.build.context ?? '.');
    paths.push(context, resolve(context, service.build.dockerfile ?? 'Dockerfile'));
  }
  paths.push(...bindMounts(service, composeDirectory).map((mount) => mount.source));
  const envFiles = service.env_file === undefined ? [] : typeof service.env_file === 'string' ? [service.env_file] : service.env_file;
  paths.push(...envFiles.map((file) => resolve(composeDirectory, file)));
  return paths;
}

/** The host file or folder mounted at `target` in the service, if any. */
export function mountedAt(service: ComposeService, composeDirectory: string, target: string): string | undefined {
  return bindMounts(service, composeDirectory).find((mount) => mount.target === target)?.source;
}

/** A service's environment as a map, whichever syntax it uses. */
export function serviceEnvironment(service: ComposeService): Record<string, string> {
  const environment = service.environment;
  if (environment === undefined) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      (environment as readonly string[]).map((entry) => {
        const index = entry.indexOf('=');
        return index < 0 ? [entry, ''] : [entry.slice(0, index), entry.slice(index + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(environment as Record<string, unknown>).map(([key, value]) => [key, String(value ?? '')]));
}
