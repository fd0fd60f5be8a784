import type { RoutingProblem } from './routing-config.js';

/** The error a sink hands to `onDelivered` for records written after `close()`. */
export class SinkClosedError extends Error {
  constructor(readonly sink: string) {
    super(`sink "${sink}" is closed`);
    this.name = 'SinkClosedError';
  }
}

/** Thrown when a routing configuration has errors; `problems` names every offending config key. */
export class RoutingConfigError extends Error {
  constructor(readonly problems: readonly RoutingProblem[]) {
    super(`invalid routing configuration:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`);
    this.name = 'RoutingConfigError';
  }
}
