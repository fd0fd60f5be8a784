/** The record types a simulated vehicle sends, and how often relative to each other. */
export const simulatedTopics = ['V', 'alerts', 'errors'] as const;
export type SimulatedTopic = (typeof simulatedTopics)[number];

export interface MixEntry {
  readonly topic: SimulatedTopic;
  readonly weight: number;
}
export type Mix = readonly MixEntry[];

export const defaultMix: Mix = [
  { topic: 'V', weight: 8 },
  { topic: 'alerts', weight: 1 },
  { topic: 'errors', weight: 1 },
];

function isSimulatedTopic(name: string): name is SimulatedTopic {
  return (simulatedTopics as readonly string[]).includes(name);
}

/** Parses `V=8,alerts=1,errors=1`. Weights are non-negative integers; at least one must be positive. */
export function parseMix(spec: string): Mix {
  const entries: MixEntry[] = [];
  for (const part of spec.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const match = /^([A-Za-z]+)\s*=\s*(\d+)$/.exec(trimmed);
    if (!match) throw new RangeError(`invalid mix entry "${trimmed}": expected <topic>=<weight>`);
    const [, topic = '', weight = '0'] = match;
    if (!isSimulatedTopic(topic)) {
      throw new RangeError(`unknown topic "${topic}" in mix: expected one of ${simulatedTopics.join(', ')}`);
    }
    if (entries.some((entry) => entry.topic === topic)) throw new RangeError(`topic "${topic}" repeated in mix`);
    entries.push({ topic, weight: Number(weight) });
  }
  if (!entries.some((entry) => entry.weight > 0)) throw new RangeError(`mix "${spec}" has no positive weight`);
  return entries.filter((entry) => entry.weight > 0);
}

/**
 * Picks topics in proportion to their weights with smooth weighted round-robin: deterministic, exact
 * over every cycle of `sum(weights)` frames, and it interleaves (8:1:1 gives V×4, alerts, V×4, errors)
 * instead of sending each topic in a block.
 */
export class MixSequencer {
  private readonly current: number[];
  private readonly total: number;

  constructor(
    private readonly mix: Mix,
    /** Advances the cycle by this many picks so vehicles do not send their alerts in lockstep. */
    phase = 0,
  ) {
    if (mix.length === 0) throw new RangeError('mix is empty');
    this.current = mix.map(() => 0);
    this.total = mix.reduce((sum, entry) => sum + entry.weight, 0);
    for (let i = 0; i < phase % this.total; i++) this.nextIndex();
  }

  /** Index into the mix of the next topic to send. */
  nextIndex(): number {
    let best = 0;
    for (let i = 0; i < this.mix.length; i++) {
      this.current[i] = (this.current[i] ?? 0) + (this.mix[i]?.weight ?? 0);
      if ((this.current[i] ?? 0) > (this.current[best] ?? 0)) best = i;
    }
    this.current[best] = (this.current[best] ?? 0) - this.total;
    return best;
  }
}
