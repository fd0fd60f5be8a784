import { describe, expect, it } from 'vitest';
import { parseStatsdAddress } from '../src/index.js';

describe('parseStatsdAddress', () => {
  it('reads host:port, with IPv6 hosts in brackets', () => {
    expect(parseStatsdAddress('127.0.0.1:8125')).toEqual({ host: '127.0.0.1', port: 8125 });
    expect(parseStatsdAddress('statsd.monitoring.svc:9125')).toEqual({ host: 'statsd.monitoring.svc', port: 9125 });
    expect(parseStatsdAddress('[::1]:8125')).toEqual({ host: '::1', port: 8125 });
  });

  it.each(['localhost', ':8125', 'localhost:', 'localhost:0', 'localhost:65536', 'localhost:81x', '::1:8125', ''])('refuses %j', (text) => {
    expect(() => parseStatsdAddress(text)).toThrow(/is not a host:port address/);
  });
});
