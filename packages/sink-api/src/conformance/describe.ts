import { describe, it } from 'vitest';
import { sinkConformanceChecks, type SinkConformanceOptions, type SinkFactory } from './checks.js';

/**
 * Registers the Sink contract checks as a vitest suite. Call it at the top level of a test file:
 *
 *   describeSinkConformance('KafkaSink', async () => ({ sink: new KafkaSink(...), readBack, stop }));
 *
 * Checks that do not apply (read-back without `readBack`) are reported as skipped.
 */
export function describeSinkConformance(
  name: string,
  factory: SinkFactory,
  options: SinkConformanceOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  describe(`${name} conforms to the Sink contract`, () => {
    for (const check of sinkConformanceChecks(factory, options)) {
      // start, the check's own waits and close can each take up to timeoutMs.
      it(check.name, { timeout: timeoutMs * 4 }, async (context) => {
        const result = await check.run();
        if (result.status === 'skipped') context.skip(result.reason);
      });
    }
  });
}
