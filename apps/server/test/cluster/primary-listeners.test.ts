import { afterEach, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../src/http/metrics-server.js';
import type { PlainHttpServer } from '../../src/http/plain-server.js';
import { startStatusServer } from '../../src/http/status-server.js';
import { httpGet } from '../process/harness.js';

const listeners: PlainHttpServer[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.close();
});

// What the primary of a multi-process server plugs into the status and metrics listeners.
describe('the listeners a primary serves', () => {
  it('answers /status with 503 while no worker serves, and 200 ok once one does', async () => {
    let serving = false;
    const status = await startStatusServer('127.0.0.1', 0, () => serving);
    listeners.push(status);
    expect(await httpGet(`http://127.0.0.1:${status.port}/status`)).toEqual({ status: 503, body: 'unavailable' });
    serving = true;
    expect(await httpGet(`http://127.0.0.1:${status.port}/status`)).toEqual({ status: 200, body: 'ok' });
  });

  it('serves /metrics from any source of Prometheus text, such as the merge of the workers', async () => {
    let scrapes = 0;
    const metrics = await startMetricsServer('127.0.0.1', 0, {
      scrape: async () => `# TYPE scrapes_total counter\nscrapes_total ${++scrapes}\n`,
    });
    listeners.push(metrics);
    expect(await httpGet(`http://127.0.0.1:${metrics.port}/metrics`)).toEqual({ status: 200, body: '# TYPE scrapes_total counter\nscrapes_total 1\n' });
    expect((await httpGet(`http://127.0.0.1:${metrics.port}/metrics`)).body).toContain('scrapes_total 2');
  });
});
