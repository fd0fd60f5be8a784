import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { tlsOptionsFromConfig } from '../../src/transport/tls.js';

describe('tlsOptionsFromConfig', () => {
  let pki: DevPki;
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'ft-tls-'));
    pki = await createDevPki(join(directory, 'pki'), { vehicles: 0 });
  });

  it('trusts the Tesla bundle plus ca_file, and requires client certificates', () => {
    const withoutExtra = tlsOptionsFromConfig({ tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile } });
    const options = tlsOptionsFromConfig({
      tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: pki.chainFile },
    });
    expect(options.requestCert).toBe(true);
    expect(options.rejectUnauthorized).toBe(true);
    expect(options.ca.length).toBe(withoutExtra.ca.length + 2);
  });

  it('names each key whose file cannot be read', () => {
    const attempt = () =>
      tlsOptionsFromConfig({
        tls: { server_cert: join(directory, 'missing.pem'), server_key: pki.serverKeyFile, ca_file: join(directory, 'nope.pem') },
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^config error: tls\.server_cert names a file that cannot be read: ENOENT.*\nconfig error: tls\.ca_file names a file/);
  });

  it('names server_key when it does not belong to the certificate', () => {
    expect(() =>
      tlsOptionsFromConfig({ tls: { server_cert: pki.serverCertFile, server_key: pki.caKeyFile, ca_file: pki.chainFile } }),
    ).toThrow(/^config error: tls\.server_key does not match the certificate in tls\.server_cert/);
  });

  it('names ca_file when it holds no certificate', () => {
    const notPem = join(directory, 'not-a-ca.pem');
    writeFileSync(notPem, 'hello\n');
    expect(() =>
      tlsOptionsFromConfig({ tls: { server_cert: pki.serverCertFile, server_key: pki.serverKeyFile, ca_file: notPem } }),
    ).toThrow(/^config error: tls\.ca_file holds no usable CA certificate/);
  });
});
