/**
 * The load generator, in its own process: the vehicle simulator against one server, sending until
 * the benchmark stops it. The benchmark reads its counters at window marks (see ./protocol.ts).
 */
import { loadPkiIdentities, runSimulation, type Progress } from '@fleet-telemetry/vehicle-sim';
import { runQueueWaitUs } from '../../process-cpu.js';
import { emitToParent, serveParent, settingsFromArgv } from '../ipc.js';
import { StallWindow } from '../stall-window.js';
import { profileWindow } from '../window-profiler.js';
import { LatencyWindow } from './latency-window.js';
import type { LoadEvents, LoadMark, LoadProtocol, LoadSettings, LoadSnapshot } from './protocol.js';

const settings = settingsFromArgv<LoadSettings>();
const latencyWindow = new LatencyWindow();
latencyWindow.install();
const stallWindow = new StallWindow();

const { identities, caFile } = await loadPkiIdentities(settings.pkiDir, settings.vehicles);
const stopSending = new AbortController();
const markWaiters: ((progress: Progress) => void)[] = [];

function snapshot(progress: Progress): LoadSnapshot {
  const cpu = process.cpuUsage();
  return {
    elapsedMs: progress.elapsedMs,
    connected: progress.connected,
    connectFailures: progress.connectFailures,
    sent: progress.sent,
    acked: progress.acked,
    errors: progress.errors,
    inFlight: progress.inFlight,
    cpuUs: cpu.user + cpu.system,
    runQueueWaitUs: runQueueWaitUs(),
  };
}

const run = runSimulation({
  url: settings.url,
  identities,
  caFile,
  rate: settings.rate,
  connectRate: settings.connectRate,
  handshakeTimeoutMs: settings.handshakeTimeoutMs,
  timeoutMs: settings.drainTimeoutMs,
  maxBufferedBytes: settings.maxBufferedBytes,
  // The fleet sends once it is all connected (an overloaded server would otherwise starve the
  // last handshakes), and each vehicle keeps at most a second's worth of frames unanswered, so an
  // overloaded server sees a closed loop at its capacity rather than queues that grow without end.
  startTogether: true,
  maxInFlight: Math.max(20, Math.ceil(settings.rate)),
  seed: settings.seed,
  signal: stopSending.signal,
  // Marks take effect at the next tick, so a short interval keeps windows aligned with the server's.
  progressIntervalMs: 250,
  onProgress(progress) {
    for (const waiter of markWaiters.splice(0)) waiter(progress);
    emitToParent<LoadEvents, 'progress'>('progress', { ...snapshot(progress), phase: progress.phase });
  },
});
run.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

serveParent<LoadProtocol>({
  mark: ({ window }) =>
    new Promise<LoadMark>((resolve) => {
      markWaiters.push((progress) => {
        if (window === 'open') {
          latencyWindow.open();
          stallWindow.open();
          resolve(snapshot(progress));
        } else {
          resolve({ ...snapshot(progress), latency: latencyWindow.close(), stalls: stallWindow.close() });
        }
      });
    }),
  profile: profileWindow,
  async stop() {
    stopSending.abort();
    const summary = await run;
    setImmediate(() => process.exit(0));
    return summary;
  },
});
process.on('SIGTERM', () => process.exit(0));
