import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { waitForShutdownSignal } from '../../src/lifecycle/signals.js';

describe('waitForShutdownSignal', () => {
  const logger = pino({ level: 'silent' });

  it('resolves with the first SIGTERM or SIGINT', async () => {
    const fakeProcess = new EventEmitter();
    const waiting = waitForShutdownSignal({ logger, onForce: vi.fn(), process: fakeProcess });
    fakeProcess.emit('SIGINT', 'SIGINT');
    await expect(waiting).resolves.toBe('SIGINT');
  });

  it('forces on the second signal, once, and then stops listening', async () => {
    const fakeProcess = new EventEmitter();
    const onForce = vi.fn();
    const waiting = waitForShutdownSignal({ logger, onForce, process: fakeProcess });
    fakeProcess.emit('SIGTERM', 'SIGTERM');
    await waiting;
    expect(onForce).not.toHaveBeenCalled();
    fakeProcess.emit('SIGINT', 'SIGINT');
    expect(onForce).toHaveBeenCalledExactlyOnceWith('SIGINT');
    expect(fakeProcess.listenerCount('SIGTERM') + fakeProcess.listenerCount('SIGINT')).toBe(0);
  });
});
