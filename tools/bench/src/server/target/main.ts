/**
 * A server under test, in its own process: our telemetry server or the echo ceiling. Started by
 * the server benchmark, which talks to it over IPC (see ./protocol.ts).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { emitToParent, serveParent, settingsFromArgv } from '../ipc.js';
import { runQueueWaitUs } from '../../process-cpu.js';
import { noStalls, StallWindow } from '../stall-window.js';
import { profileWindow } from '../window-profiler.js';
import type { RunningTarget, TargetEvents, TargetProtocol, TargetSettings, TargetStats } from './protocol.js';

const settings = settingsFromArgv<TargetSettings>();

async function start(): Promise<RunningTarget> {
  if (settings.kind === 'echo') {
    const { startEchoServer } = await import('./echo.js');
    return startEchoServer(settings);
  }
  // The SDK must be the global meter provider before the libraries create their meters.
  const { installMeterProvider } = await import('./meter.js');
  const reader = installMeterProvider();
  const { startTelemetryServer } = await import('./telemetry.js');
  return startTelemetryServer(settings, reader);
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

async function stats(gc: boolean, withMetrics: boolean): Promise<TargetStats> {
  if (gc) {
    if (collectGarbage === undefined) throw new Error('run with --expose-gc to measure memory');
    collectGarbage();
    // Let finalizers release what they hold (socket handles, external buffers), then again.
    await nextTurn();
    collectGarbage();
  }
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  const scraped = withMetrics ? await server.metrics() : {};
  return {
    atMs: Number(process.hrtime.bigint()) / 1e6,
    cpuUs: cpu.user + cpu.system,
    runQueueWaitUs: runQueueWaitUs(),
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    connections: server.connections(),
    numConnectionsMetric: scraped.numConnections,
    recordTotalMetric: scraped.recordTotal,
  };
}

const stallWindow = new StallWindow();
const server = await start();
serveParent<TargetProtocol>({
  stats: ({ gc, metrics }) => stats(gc, metrics),
  profile: profileWindow,
  stalls({ window }) {
    if (window === 'close') return stallWindow.close();
    stallWindow.open();
    return noStalls;
  },
  async stop() {
    await server.close();
    setImmediate(() => process.exit(0));
    return null;
  },
});
process.on('SIGTERM', () => process.exit(0));
emitToParent<TargetEvents, 'ready'>('ready', { port: server.port });
