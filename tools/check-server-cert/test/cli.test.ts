import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArguments, UsageError, type CheckReport } from '../src/index.js';
import { createCheckPki, startTlsServer, type CheckPki, type Listening } from './support.js';

const cliPath = new URL('../src/cli.ts', import.meta.url).pathname;

let pki: CheckPki;
let caFile: string;

beforeAll(async () => {
  pki = await createCheckPki();
  caFile = pki.pki.caFile;
  return () => pki.dispose();
});

describe('command-line arguments', () => {
  it('reads hostname, port and the CA file, with defaults', () => {
    const command = parseCliArguments(['--ca', caFile, 'telemetry.example.com']);
    expect(command).toMatchObject({
      kind: 'check',
      caName: caFile,
      json: false,
      check: { hostname: 'telemetry.example.com', port: 443, timeoutMs: 10_000, warnDays: 30, clientCertificate: undefined },
    });
    expect(parseCliArguments(['t.example.com', '8443', '--ca', caFile, '--address', '10.0.0.1', '--timeout', '2.5', '--json'])).toMatchObject(
      { check: { port: 8443, address: '10.0.0.1', timeoutMs: 2_500 }, json: true },
    );
    expect(parseCliArguments(['-h'])).toEqual({ kind: 'help' });
  });

  it('reads a fleet_telemetry_config, whole request or just its config', () => {
    const body = join(pki.dir, 'request.json');
    writeFileSync(body, JSON.stringify({ vins: ['X'], config: { hostname: 'ft.example.com', port: 4443, ca: 'PEM', fields: {} } }));
    expect(parseCliArguments(['--config', body])).toMatchObject({ check: { hostname: 'ft.example.com', port: 4443, ca: 'PEM' } });
    const bare = join(pki.dir, 'config.json');
    writeFileSync(bare, JSON.stringify({ hostname: 'ft.example.com', ca: 'PEM' }));
    expect(parseCliArguments(['--config', bare])).toMatchObject({ check: { port: 443 }, caName: `the "ca" of ${bare}` });
  });

  it('refuses what it cannot run', () => {
    const refusals: [string[], RegExp][] = [
      [[], /hostname is missing/],
      [['host'], /--ca is missing/],
      [['--ca', caFile, 'host', '70000'], /not a port number/],
      [['--ca', caFile, 'host', '443', 'extra'], /unexpected argument: extra/],
      [['--ca', join(pki.dir, 'absent.pem'), 'host'], /--ca .*absent\.pem cannot be read/],
      [['--ca', caFile, 'host', '--cert', caFile], /--cert and --key go together/],
      [['--ca', caFile, 'host', '--timeout', '0'], /--timeout must be a positive number/],
      [['--ca', caFile, 'host', '--bogus'], /Unknown option '--bogus'/],
      [['--config', caFile], /is not JSON/],
      [['--config', caFile, 'host'], /leave out the others/],
    ];
    for (const [argv, message] of refusals) {
      expect(() => parseCliArguments(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => parseCliArguments(argv), argv.join(' ')).toThrow(message);
    }
  });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=@fleet-telemetry/source', '--import', 'tsx', cliPath, ...args], (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

// Each run starts Node with the TypeScript loader: generous budgets for a busy machine.
describe('check-server-cert', { timeout: 60_000 }, () => {
  let good: Listening;
  let leafOnly: Listening;

  beforeAll(async () => {
    const read = (file: string): string => readFileSync(file, 'utf8');
    good = await startTlsServer({ cert: read(pki.pki.serverCertFile), key: read(pki.pki.serverKeyFile) });
    // The server file minus its intermediate: what a server configured with the bare certificate sends.
    const leaf = read(pki.pki.serverCertFile).split(/(?<=-----END CERTIFICATE-----\n)/)[0]!;
    leafOnly = await startTlsServer({ cert: leaf, key: read(pki.pki.serverKeyFile) });
  });

  afterAll(async () => {
    await good.close();
    await leafOnly.close();
  });

  it('exits 0 and says OK for a good server', async () => {
    const run = await runCli(['--ca', caFile, '--address', '127.0.0.1', 'localhost', String(good.port)]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Checking localhost:${good.port} via 127.0.0.1 against ${caFile}`);
    expect(run.stdout).toContain('  names     DNS:localhost, IP Address:127.0.0.1');
    expect(run.stdout).toContain('  2. CN=Tesla Motors Product Issuing CA (sent by the server');
    expect(run.stdout).toContain('  3. CN=Fleet Telemetry Dev Root CA (in the CA file');
    expect(run.stdout).toMatch(/OK: vehicles given this CA will accept the certificate of localhost\.\n$/);
  });

  it('exits 1 and says what is wrong', async () => {
    const run = await runCli(['--ca', caFile, '--address', '127.0.0.1', 'localhost', String(leafOnly.port)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/PROBLEM: The server sends only its own certificate/);
    expect(run.stdout).toMatch(/FAILED: 1 problem\.\n$/);
  });

  it('reads a fleet_telemetry_config and prints JSON', async () => {
    const config = join(pki.dir, 'fleet_telemetry_config.json');
    writeFileSync(config, JSON.stringify({ config: { hostname: 'localhost', port: good.port, ca: pki.root.cert } }));
    const run = await runCli(['--config', config, '--address', '127.0.0.1', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report).toMatchObject({ hostname: 'localhost', port: good.port, ok: true, findings: [] });
    expect(report.chain).toHaveLength(3);
  });

  it('exits 2 with the usage on a usage error, and on a CA without certificates', async () => {
    const usage = await runCli(['localhost']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('check-server-cert: --ca is missing');
    expect(usage.stderr).toContain('Usage: check-server-cert --ca <file> <hostname> [port]');

    const notPem = join(pki.dir, 'not-a-ca.pem');
    writeFileSync(notPem, 'hello\n');
    const empty = await runCli(['--ca', notPem, 'localhost', String(good.port)]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(`check-server-cert: ${notPem}: the CA holds no PEM certificate\n`);
  });
});
