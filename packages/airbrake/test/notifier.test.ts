import type { ServerResponse } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AirbrakeNotifier, airbrakeLogHook } from '../src/index.js';
import { created, startNoticeServer, type NoticeServer } from './notice-server.js';

describe('AirbrakeNotifier against a local notices endpoint', () => {
  let server: NoticeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('posts a v3 notice with the error, its backtrace and the environment, authorised by the project key', async () => {
    server = await startNoticeServer();
    const notifier = new AirbrakeNotifier({ host: server.url, projectId: 42, projectKey: 'secret-key', environment: 'staging' });
    const result = await notifier.notify(new TypeError('record type is undefined'), { params: { txid: 'tx-1' } });

    expect(result).toEqual({ sent: true, id: 'notice-1', url: 'https://airbrake.test/notices/1' });
    const [notice] = await server.waitFor(1);
    expect(notice?.method).toBe('POST');
    expect(notice?.path).toBe('/api/v3/projects/42/notices');
    expect(notice?.headers.authorization).toBe('Bearer secret-key');
    expect(notice?.headers['content-type']).toBe('application/json');
    expect(notice?.body).toMatchObject({
      errors: [{ type: 'TypeError', message: 'record type is undefined' }],
      context: {
        environment: 'staging',
        severity: 'error',
        notifier: { name: '@fleet-telemetry/airbrake', version: expect.any(String), url: expect.any(String) },
        language: `node ${process.version}`,
      },
      params: { txid: 'tx-1' },
    });
    const backtrace = (notice?.body.errors as { backtrace: { file: string; line: number; column: number; function: string }[] }[])[0]?.backtrace ?? [];
    expect(backtrace[0]).toMatchObject({ file: expect.stringMatching(/notifier\.test\.ts$/), line: expect.any(Number), column: expect.any(Number) });
    expect(backtrace[0]?.line).toBeGreaterThan(0);
  });

  it('sends the cause chain, outermost first, and readable notices for thrown non-errors', async () => {
    server = await startNoticeServer();
    const notifier = new AirbrakeNotifier({ host: `${server.url}/`, projectId: 7, projectKey: 'k' });
    await notifier.notify(new Error('flush failed', { cause: new RangeError('broker down') }), { severity: 'critical' });
    await notifier.notify('a thrown string');
    const [chained, thrown] = await server.waitFor(2);
    expect(chained?.path).toBe('/api/v3/projects/7/notices');
    expect(chained?.body).toMatchObject({
      errors: [
        { type: 'Error', message: 'flush failed' },
        { type: 'RangeError', message: 'broker down' },
      ],
      context: { severity: 'critical' },
    });
    expect(chained?.body.context).not.toHaveProperty('environment');
    expect(thrown?.body).toMatchObject({ errors: [{ type: 'string', message: 'a thrown string', backtrace: [] }] });
  });

  it('resolves with the reason, without throwing, when the server refuses the notice', async () => {
    server = await startNoticeServer((response) => response.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"invalid project key"}'));
    const warnings: unknown[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const notifier = new AirbrakeNotifier({ host: server.url, projectId: 1, projectKey: 'wrong', logger });
    expect(await notifier.notify(new Error('boom'))).toEqual({ sent: false, reason: 'the Airbrake server answered 401: invalid project key' });
    expect(warnings).toEqual([expect.objectContaining({ level: 40, msg: 'airbrake_notify_failed', reason: 'the Airbrake server answered 401: invalid project key' })]);
  });

  it('resolves with the reason when nobody listens at the host', async () => {
    server = await startNoticeServer();
    const closedUrl = server.url;
    await server.close();
    server = undefined;
    const result = await new AirbrakeNotifier({ host: closedUrl, projectId: 1, projectKey: 'k' }).notify(new Error('boom'));
    expect(result).toEqual({ sent: false, reason: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('drops notices beyond maxInFlight and waits for the others in flush', async () => {
    const held: ServerResponse[] = [];
    server = await startNoticeServer((response) => held.push(response));
    const notifier = new AirbrakeNotifier({ host: server.url, projectId: 1, projectKey: 'k', maxInFlight: 2 });
    const first = notifier.notify(new Error('one'));
    const second = notifier.notify(new Error('two'));
    expect(await notifier.notify(new Error('three'))).toEqual({ sent: false, reason: 'too many notices in flight' });
    await server.waitFor(2);
    expect(await notifier.flush(10)).toBe(false);

    const flushed = notifier.flush(10_000);
    held.forEach((response, index) => created(response, index + 1));
    expect(await flushed).toBe(true);
    expect(await first).toMatchObject({ sent: true });
    expect(await second).toMatchObject({ sent: true });
  });

  it('holds notices back for the delay a 429 names', async () => {
    server = await startNoticeServer((response) => response.writeHead(429, { 'x-ratelimit-delay': '3600' }).end());
    const notifier = new AirbrakeNotifier({ host: server.url, projectId: 1, projectKey: 'k' });
    expect(await notifier.notify(new Error('one'))).toMatchObject({ sent: false, reason: 'the Airbrake server answered 429' });
    expect(await notifier.notify(new Error('two'))).toEqual({ sent: false, reason: 'rate limited by the server' });
    expect(server.notices).toHaveLength(1);
  });

  it('sends nothing once closed', async () => {
    server = await startNoticeServer();
    const notifier = new AirbrakeNotifier({ host: server.url, projectId: 1, projectKey: 'k' });
    await notifier.close();
    expect(await notifier.notify(new Error('late'))).toEqual({ sent: false, reason: 'the notifier is closed' });
    expect(server.notices).toHaveLength(0);
  });

  it('refuses options it cannot work with', () => {
    expect(() => new AirbrakeNotifier({ projectId: 0, projectKey: 'k' })).toThrow(/projectId/);
    expect(() => new AirbrakeNotifier({ projectId: 1, projectKey: '' })).toThrow(/projectKey/);
    expect(() => new AirbrakeNotifier({ projectId: 1, projectKey: 'k', host: 'ftp://errbit' })).toThrow(/host/);
    expect(new AirbrakeNotifier({ projectId: 3, projectKey: 'k' }).noticesUrl).toBe('https://api.airbrake.io/api/v3/projects/3/notices');
  });
});

describe('airbrakeLogHook', () => {
  let server: NoticeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reports lines logged at error or fatal that carry an error, and logs them as usual', async () => {
    server = await startNoticeServer();
    const notifier = new AirbrakeNotifier({ host: server.url, projectId: 1, projectKey: 'k' });
    const lines: { msg: string }[] = [];
    const logger = pino({ hooks: { logMethod: airbrakeLogHook(notifier) } }, { write: (line: string) => lines.push(JSON.parse(line) as { msg: string }) });

    logger.warn({ err: new Error('only a warning') }, 'sink_retry');
    logger.error('an error line without an error object');
    logger.child({ component: 'router' }).error({ err: new Error('disk full') }, 'sink_flush_error');
    logger.fatal(new Error('escaped'), 'uncaught_exception');
    await notifier.flush();

    expect(lines.map((line) => line.msg)).toEqual(['sink_retry', 'an error line without an error object', 'sink_flush_error', 'uncaught_exception']);
    const notices = await server.waitFor(2);
    expect(server.notices).toHaveLength(2);
    expect(notices.map((notice) => notice.body)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ errors: [expect.objectContaining({ message: 'disk full' })], context: expect.objectContaining({ action: 'sink_flush_error', severity: 'error' }) }),
        expect.objectContaining({ errors: [expect.objectContaining({ message: 'escaped' })], context: expect.objectContaining({ action: 'uncaught_exception', severity: 'critical' }) }),
      ]),
    );
  });
});
