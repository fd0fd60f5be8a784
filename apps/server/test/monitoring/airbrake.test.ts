import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type ServerConfig } from '../../src/config/index.js';
import { createServerLogger } from '../../src/logging/logger.js';
import { airbrakeFromConfig } from '../../src/monitoring/airbrake.js';
import { errorReportingFromConfig } from '../../src/monitoring/error-reporting.js';
import { startNoticeListener } from './listeners.js';

describe('airbrakeFromConfig', () => {
  it('makes no notifier without an airbrake section', () => {
    expect(airbrakeFromConfig({}, {})).toBeUndefined();
  });

  it('names every airbrake.tls file that cannot be read', () => {
    const config: ServerConfig = {
      airbrake: { project_id: 1, project_key: 'k', tls: { ca_file: '/nonexistent/ca.pem', server_key: '/nonexistent/key.pem' } },
    };
    let thrown: unknown;
    try {
      airbrakeFromConfig(config, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message.split('\n')).toEqual([
      expect.stringMatching(/^config error: airbrake\.tls\.ca_file names a file that cannot be read: ENOENT/),
      expect.stringMatching(/^config error: airbrake\.tls\.server_key names a file that cannot be read: ENOENT/),
    ]);
  });

  it('defaults the host to Airbrake itself', () => {
    expect(airbrakeFromConfig({ airbrake: { project_id: 5, project_key: 'k' } }, {})?.noticesUrl).toBe('https://api.airbrake.io/api/v3/projects/5/notices');
  });
});

describe('errorReportingFromConfig', () => {
  const listeners: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const listener of listeners.splice(0)) await listener.close();
  });

  it('reports what the server logger logs at error with an error, using the config key when no variable is set', async () => {
    const notices = await startNoticeListener();
    listeners.push(notices);
    const reporting = errorReportingFromConfig({ airbrake: { host: notices.url, project_id: 3, project_key: 'config-key', environment: 'staging' } }, {});
    const lines: Record<string, unknown>[] = [];
    const destination = { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) };
    const { logger } = createServerLogger({ json: true, destination, logMethodHook: reporting.logMethodHook });
    reporting.useLogger(logger);

    logger.child({ component: 'router' }).error({ err: new Error('sink closed twice') }, 'sink_close_error');
    logger.info('not an error');
    await reporting.flush();

    const [notice] = await notices.waitFor(() => true);
    expect(notices.items).toHaveLength(1);
    expect(notice?.headers.authorization).toBe('Bearer config-key');
    expect(notice?.body.errors[0]).toMatchObject({ type: 'Error', message: 'sink closed twice' });
    expect(notice?.body.context).toMatchObject({ environment: 'staging', severity: 'error', action: 'sink_close_error' });
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'airbrake_configured', key_source: 'config_file', url: `${notices.url}/api/v3/projects/3/notices` }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'sink_close_error' }));
  });

  it('adds no hook and waits for nothing without an airbrake section', async () => {
    const reporting = errorReportingFromConfig({}, {});
    expect(reporting.logMethodHook).toBeUndefined();
    reporting.useLogger(pino({ level: 'silent' }));
    await expect(reporting.flush()).resolves.toBeUndefined();
  });
});
