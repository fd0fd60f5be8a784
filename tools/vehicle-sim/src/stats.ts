import { LatencyHistogram } from './latency.js';

/** Counters shared by every vehicle of a run (one process, one event loop: plain numbers suffice). */
export class RunStats {
  connected = 0;
  connectFailures = 0;
  disconnects = 0;
  sent = 0;
  acked = 0;
  errors = 0;
  unknownTxid = 0;
  duplicates = 0;
  topicMismatches = 0;
  malformed = 0;
  inFlight = 0;
  firstSendAtMs = Number.NaN;
  lastSendAtMs = Number.NaN;
  readonly latency = new LatencyHistogram();
  readonly sentByTopic: number[];
  readonly ackedByTopic: number[];
  readonly errorsByTopic: number[];
  private readonly failureReasons = new Map<string, number>();

  constructor(topicCount: number) {
    this.sentByTopic = new Array<number>(topicCount).fill(0);
    this.ackedByTopic = new Array<number>(topicCount).fill(0);
    this.errorsByTopic = new Array<number>(topicCount).fill(0);
  }

  recordSent(topicIndex: number, count: number, nowMs: number): void {
    if (count === 0) return;
    if (Number.isNaN(this.firstSendAtMs)) this.firstSendAtMs = nowMs;
    this.lastSendAtMs = nowMs;
    this.sent += count;
    this.inFlight += count;
    this.sentByTopic[topicIndex] = (this.sentByTopic[topicIndex] ?? 0) + count;
  }

  recordAck(topicIndex: number, latencyMs: number): void {
    this.acked++;
    this.inFlight--;
    this.ackedByTopic[topicIndex] = (this.ackedByTopic[topicIndex] ?? 0) + 1;
    this.latency.record(latencyMs);
  }

  recordError(topicIndex: number): void {
    this.errors++;
    this.inFlight--;
    this.errorsByTopic[topicIndex] = (this.errorsByTopic[topicIndex] ?? 0) + 1;
  }

  recordTopicMismatch(): void {
    this.topicMismatches++;
    this.inFlight--;
  }

  /** Why vehicles could not connect, counted by message (for the summary). */
  recordConnectFailure(reason: string): void {
    this.connectFailures++;
    this.failureReasons.set(reason, (this.failureReasons.get(reason) ?? 0) + 1);
  }

  connectFailureReasons(): Record<string, number> {
    return Object.fromEntries(this.failureReasons);
  }
}
