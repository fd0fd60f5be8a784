import { Session } from 'node:inspector/promises';

/**
 * Takes a heap snapshot of this process and hands it out in chunks as V8 serialises it (the
 * `.heapsnapshot` JSON of Chrome DevTools); resolves once the last chunk was given. The process is
 * paused while V8 walks the heap.
 */
export async function writeHeapSnapshot(onChunk: (chunk: string) => void): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    session.on('HeapProfiler.addHeapSnapshotChunk', (message) => onChunk(message.params.chunk));
    await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    session.disconnect();
  }
}
