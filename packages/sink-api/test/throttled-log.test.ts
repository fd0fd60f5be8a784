import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ThrottledLog } from '../src/index.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('ThrottledLog', () => {
  it('logs a kind of problem once per window, then reports how many repeats it held back', () => {
    const { logger, lines } = capture();
    const log = new ThrottledLog(logger, 1_000);
    for (let i = 0; i < 5; i += 1) log.log('error', 'timed out', { n: i }, 'kafka_err', 10_000 + i);
    log.log('warn', 'other', {}, 'different kind', 10_005);
    log.log('error', 'timed out', { n: 99 }, 'kafka_err', 11_000);
    expect(lines.map((line) => [line.msg, line.n, line.repeats_not_logged])).toEqual([
      ['kafka_err', 0, undefined],
      ['different kind', undefined, undefined],
      ['kafka_err', 99, 4],
    ]);
  });
});
