import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { encodeAck, encodeErrorResponse } from '@fleet-telemetry/codec';
import { createDevPki, type DevPki } from '@fleet-telemetry/dev-pki';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli/args.js';
import { formatProgress, formatSummary } from '../src/cli/format.js';
import { ExitCode, main } from '../src/cli/main.js';
import type { Summary } from '../src/options.js';
import { startTestServer, type TestServer } from './support/test-server.js';

describe('parseCliArgs', () => {
  it('maps every option onto the simulation', () => {
    const cli = parseCliArgs([
      '--',
      '--url', 'wss://127.0.0.1:9443',
      '--vehicles', '10',
      '--rate', '5',
      '--duration', '30',
      '--mix', 'V=1',
      '--pki', '/tmp/pki',
      '--ca', '/tmp/ca.pem',
      '--network-interface', 'cellular',
      '--connect-rate', '250',
      '--timeout', '2.5',
      '--handshake-timeout', '30',
      '--seed', '7',
      '--json',
      '--quiet',
    ]);
    expect(cli.simulation).toEqual({
      url: 'wss://127.0.0.1:9443',
      vehicles: 10,
      rate: 5,
      durationSeconds: 30,
      mix: 'V=1',
      pkiDir: '/tmp/pki',
      caFile: '/tmp/ca.pem',
      networkInterface: 'cellular',
      connectRate: 250,
      timeoutMs: 2_500,
      handshakeTimeoutMs: 30_000,
      seed: 7,
      rejectUnauthorized: true,
    });
    expect(cli).toMatchObject({ json: true, quiet: true, help: false });
  });

  it('leaves unset options to the defaults', () => {
    expect(parseCliArgs([]).simulation).toEqual({ rejectUnauthorized: true });
    expect(parseCliArgs(['--insecure']).simulation).toEqual({ rejectUnauthorized: false });
  });

  it('rejects unknown options and non-numbers', () => {
    expect(() => parseCliArgs(['--vehicle', '3'])).toThrow(/Unknown option '--vehicle'/);
    expect(() => parseCliArgs(['--rate', 'fast'])).toThrow(/--rate expects a number/);
  });
});

const sampleSummary: Summary = {
  url: 'wss://localhost:4443',
  vehicles: 10,
  connected: 10,
  connectFailures: 0,
  connectFailureReasons: {},
  disconnects: 0,
  sent: 500,
  acked: 499,
  errors: 1,
  unanswered: 0,
  unknownTxid: 0,
  duplicates: 0,
  topicMismatches: 0,
  malformed: 0,
  byTopic: { V: { sent: 400, acked: 400, errors: 0 }, alerts: { sent: 50, acked: 49, errors: 1 } },
  targetRate: 5,
  achievedRatePerVehicle: 5,
  throughput: 49.8,
  latencyMs: { p50: 1.234, p90: 2, p99: 12.5, p999: 20, max: 130, mean: 1.5 },
  durationMs: 11_234,
  sendingMs: 10_000,
  cpuMs: { user: 900, system: 100 },
  ok: false,
};

describe('formatting', () => {
  it('prints the summary a person reads', () => {
    const text = formatSummary(sampleSummary);
    expect(text).toMatch(/^sent\s+500 \(V 400, alerts 50\)$/m);
    expect(text).toMatch(/^errors\s+1$/m);
    expect(text).toMatch(/^rate\s+5\.0 frames\/s per vehicle \(target 5\.0\), 49\.8 frames\/s total$/m);
    expect(text).toMatch(/^ack latency\s+p50 1\.23 ms, p90 2\.00 ms, p99 12\.5 ms, max 130 ms$/m);
    expect(text).toMatch(/^cpu\s+1\.0 s \(2000 µs per frame sent\)$/m);
    expect(text).toMatch(/^result\s+FAILED$/m);
  });

  it('prints one progress line', () => {
    const line = formatProgress({
      phase: 'sending',
      elapsedMs: 12_000,
      vehicles: 10,
      connected: 9,
      connectFailures: 1,
      sent: 600,
      acked: 590,
      errors: 0,
      inFlight: 10,
      sentPerSecond: 50,
      ackedPerSecond: 49.5,
      p50: 1.2,
      p99: 4.5,
    });
    expect(line).toBe(
      '[  12.0s] connected 9/10 (1 failed) | sent 600 (50.0/s) | acked 590 (49.5/s) | errors 0 | in flight 10 | p50 1.20 ms p99 4.50 ms',
    );
    expect(line).not.toContain('\n');
  });
});

describe('main', () => {
  let pkiDir: string;
  let pki: DevPki;
  let server: TestServer | undefined;

  beforeAll(async () => {
    pkiDir = await mkdtemp(join(tmpdir(), 'vehicle-sim-cli-'));
    pki = await createDevPki(pkiDir, { vehicles: 2 });
  });
  afterAll(() => rm(pkiDir, { recursive: true, force: true }));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function run(args: string[]) {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await main(args, { stdout, stderr });
    return { code, out, err };
  }

  const common = () => ['--url', server!.url, '--pki', pkiDir, '--vehicles', '2', '--rate', '50', '--frames', '10'];

  it('exits 0 and prints a JSON summary when every frame is acked', async () => {
    server = await startTestServer(pki, (envelope) => [encodeAck(envelope.txid, envelope.topic)]);
    const { code, out } = await run([...common(), '--json', '--quiet']);
    expect(code).toBe(ExitCode.ok);
    expect(JSON.parse(out)).toMatchObject({ sent: 20, acked: 20, unanswered: 0, ok: true });
  });

  it('exits 1 when the server answers with errors, with progress on stderr', async () => {
    server = await startTestServer(pki, (envelope) => [encodeErrorResponse(envelope.txid)]);
    const { code, out, err } = await run(common());
    expect(code).toBe(ExitCode.failed);
    expect(out).toMatch(/^errors\s+20$/m);
    expect(out).toMatch(/^result\s+FAILED$/m);
    expect(err).toMatch(/connected 2\/2 \| sent 20/);
  });

  it('exits 2 on a usage error', async () => {
    const { code, err } = await run(['--vehicles', 'many']);
    expect(code).toBe(ExitCode.usage);
    expect(err).toContain('--vehicles expects a number');
    expect(err).toContain('Usage: fleet-telemetry-sim');
  });

  it('exits 2 on an invalid option value', async () => {
    const { code, err } = await run(['--network-interface', 'ethernet', '--pki', pkiDir]);
    expect(code).toBe(ExitCode.usage);
    expect(err).toContain('network interface must be one of wifi, cellular');
  });
});
