import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createServerLogger } from '../../src/logging/logger.js';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('createServerLogger', () => {
  it('writes JSON lines when json_log_enable is set', () => {
    const output = capture();
    const { logger } = createServerLogger({ json: true, level: 'info', destination: output.stream });
    logger.info({ vin: '5YJ3E1EA9PF000001' }, 'socket_connected');
    const line = JSON.parse(output.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'socket_connected', vin: '5YJ3E1EA9PF000001' });
  });

  it('writes readable lines otherwise', () => {
    const output = capture();
    const { logger } = createServerLogger({ json: false, level: 'info', destination: output.stream });
    logger.info({ vin: '5YJ3E1EA9PF000001' }, 'socket_connected');
    expect(output.text()).toMatch(/INFO.*socket_connected.*"vin":"5YJ3E1EA9PF000001"/);
    expect(output.text().trim().startsWith('{')).toBe(false);
  });

  it('maps the reference log levels, dropping what is below', () => {
    const output = capture();
    const { logger } = createServerLogger({ json: true, level: 'warning', destination: output.stream });
    logger.info('hidden');
    logger.warn('shown');
    expect(output.text()).not.toContain('hidden');
    expect(output.text()).toContain('shown');
    expect(createServerLogger({ level: 'panic', destination: output.stream }).logger.level).toBe('fatal');
  });
});
