/** A StatsD server address. */
export interface StatsdAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host:port` (the reference server's `monitoring.statsd.host`); IPv6 hosts are written in
 * brackets, `[::1]:8125`. Throws a `RangeError` saying what is wrong.
 */
export function parseStatsdAddress(text: string): StatsdAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (match === null || host === undefined || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new RangeError(`"${text}" is not a host:port address (e.g. 127.0.0.1:8125)`);
  }
  return { host, port };
}
