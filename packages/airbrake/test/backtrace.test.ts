import { describe, expect, it } from 'vitest';
import { parseV8Stack } from '../src/index.js';

describe('parseV8Stack', () => {
  it('reads named, anonymous, async and position-less frames, skipping the message lines', () => {
    const stack = [
      'Error: first line',
      'second line of the message',
      '    at RecordRouter.dispatch (/app/packages/sink-api/dist/index.js:120:15)',
      '    at /app/apps/server/dist/main.js:33:7',
      '    at async Promise.all (index 0)',
      '    at async startServer (file:///app/apps/server/dist/main.js:88:3)',
      '    at new Promise (<anonymous>)',
    ].join('\n');
    expect(parseV8Stack(stack)).toEqual([
      { function: 'RecordRouter.dispatch', file: '/app/packages/sink-api/dist/index.js', line: 120, column: 15 },
      { function: '', file: '/app/apps/server/dist/main.js', line: 33, column: 7 },
      { function: 'Promise.all', file: 'index 0', line: 0, column: 0 },
      { function: 'startServer', file: 'file:///app/apps/server/dist/main.js', line: 88, column: 3 },
      { function: 'new Promise', file: '<anonymous>', line: 0, column: 0 },
    ]);
  });

  it('gives no frames for a missing stack', () => {
    expect(parseV8Stack(undefined)).toEqual([]);
  });

  it('reads the stack of a real error, innermost frame in this file', () => {
    const [frame] = parseV8Stack(new Error('here').stack);
    expect(frame?.file).toMatch(/backtrace\.test\.ts$/);
    expect(frame?.line).toBeGreaterThan(0);
  });
});
