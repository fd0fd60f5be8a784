/**
 * Frames sent and not answered yet, by sequence number. Each entry packs the send time (µs, from
 * `performance.now()`) and the topic's index into one number, so tracking a frame allocates no object.
 */
const topicSlots = 16;

export class InFlightFrames {
  private readonly frames = new Map<number, number>();

  get size(): number {
    return this.frames.size;
  }

  add(sequence: number, sentAtMs: number, topicIndex: number): void {
    this.frames.set(sequence, Math.round(sentAtMs * 1000) * topicSlots + topicIndex);
  }

  /** Removes the frame; -1 when it is not in flight, else its packed entry (see `sentAtOf`, `topicOf`). */
  take(sequence: number): number {
    const entry = this.frames.get(sequence);
    if (entry === undefined) return -1;
    this.frames.delete(sequence);
    return entry;
  }

  clear(): void {
    this.frames.clear();
  }
}

export function sentAtOf(entry: number): number {
  return Math.floor(entry / topicSlots) / 1000;
}

export function topicOf(entry: number): number {
  return entry % topicSlots;
}

export const maxTopics = topicSlots;
