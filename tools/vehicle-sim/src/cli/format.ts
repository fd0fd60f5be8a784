import type { Progress, Summary } from '../options.js';

const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const rate = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const seconds = (valueMs: number): string => (valueMs / 1000).toFixed(1);

/** One progress line: what a person watching a load test wants at a glance. */
export function formatProgress(progress: Progress): string {
  const time = `[${seconds(progress.elapsedMs).padStart(6)}s]`;
  const counts = [
    `connected ${progress.connected}/${progress.vehicles}${progress.connectFailures ? ` (${progress.connectFailures} failed)` : ''}`,
    `sent ${progress.sent} (${rate(progress.sentPerSecond)}/s)`,
    `acked ${progress.acked} (${rate(progress.ackedPerSecond)}/s)`,
    `errors ${progress.errors}`,
    `in flight ${progress.inFlight}`,
    `p50 ${ms(progress.p50)} ms p99 ${ms(progress.p99)} ms`,
  ];
  return `${time} ${counts.join(' | ')}`;
}

/** The final report, aligned for reading in a terminal. */
export function formatSummary(summary: Summary): string {
  const lines: [string, string][] = [];
  const add = (label: string, value: string) => lines.push([label, value]);
  add('server', summary.url);
  add('duration', `${seconds(summary.durationMs)} s (sending ${seconds(summary.sendingMs)} s)`);
  add(
    'vehicles',
    `${summary.connected}/${summary.vehicles} connected, ${summary.connectFailures} connect failures, ${summary.disconnects} disconnects`,
  );
  for (const [reason, count] of Object.entries(summary.connectFailureReasons)) add('  failed', `${count}× ${reason}`);
  const topics = Object.entries(summary.byTopic)
    .map(([topic, counts]) => `${topic} ${counts.sent}`)
    .join(', ');
  add('sent', `${summary.sent} (${topics})`);
  add('acked', String(summary.acked));
  add('errors', String(summary.errors));
  add('unanswered', String(summary.unanswered));
  const unexpected = summary.unknownTxid + summary.duplicates + summary.topicMismatches + summary.malformed;
  add(
    'unexpected',
    `${unexpected} (unknown txid ${summary.unknownTxid}, duplicate ${summary.duplicates}, topic mismatch ${summary.topicMismatches}, malformed ${summary.malformed})`,
  );
  add(
    'rate',
    `${rate(summary.achievedRatePerVehicle)} frames/s per vehicle (target ${rate(summary.targetRate)}), ${rate(summary.throughput)} frames/s total`,
  );
  const { latencyMs: latency } = summary;
  add(
    'ack latency',
    `p50 ${ms(latency.p50)} ms, p90 ${ms(latency.p90)} ms, p99 ${ms(latency.p99)} ms, max ${ms(latency.max)} ms`,
  );
  const cpuMs = summary.cpuMs.user + summary.cpuMs.system;
  add(
    'cpu',
    `${seconds(cpuMs)} s${summary.sent > 0 ? ` (${((cpuMs * 1000) / summary.sent).toFixed(0)} µs per frame sent)` : ''}`,
  );
  add('result', summary.ok ? 'OK' : 'FAILED');
  const width = Math.max(...lines.map(([label]) => label.length)) + 2;
  return lines.map(([label, value]) => `${label.padEnd(width)}${value}`).join('\n');
}
