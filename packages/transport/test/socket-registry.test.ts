import { describe, expect, it } from 'vitest';
import { SocketRegistry } from '../src/index.js';

const socket = (socketId: string) => ({ socketId });

describe('SocketRegistry', () => {
  it('finds, counts and iterates live sockets', () => {
    const registry = new SocketRegistry<{ socketId: string }>();
    const a = socket('a');
    const b = socket('b');
    registry.add(a);
    registry.add(b);
    expect(registry.size).toBe(2);
    expect(registry.get('a')).toBe(a);
    expect([...registry]).toEqual([a, b]);
    expect(registry.delete(a)).toBe(true);
    expect(registry.delete(a)).toBe(false);
    expect(registry.get('a')).toBeUndefined();
    expect(registry.size).toBe(1);
  });

  it('keeps sockets that share an id apart, returning the newest', () => {
    const registry = new SocketRegistry<{ socketId: string }>();
    const older = socket('same');
    const newer = socket('same');
    registry.add(older);
    registry.add(newer);
    expect(registry.size).toBe(2);
    expect(registry.get('same')).toBe(newer);
    registry.delete(newer);
    expect(registry.get('same')).toBe(older);
    registry.delete(older);
    expect(registry.get('same')).toBeUndefined();
    expect(registry.size).toBe(0);
  });

  it('iterates a snapshot, so sockets can leave while it runs', () => {
    const registry = new SocketRegistry<{ socketId: string }>();
    const all = ['a', 'b', 'c'].map(socket);
    for (const entry of all) registry.add(entry);
    const seen: string[] = [];
    for (const entry of registry) {
      seen.push(entry.socketId);
      registry.delete(entry);
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(registry.size).toBe(0);
  });
});
