/**
 * The listener set behind `Sink.onDrain`: sinks call `notify()` when they can take records again.
 * A listener that throws does not stop the others.
 */
export class DrainNotifier {
  readonly #listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    // Wrapping makes every subscription distinct, so subscribing the same function twice needs two unsubscribes.
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  notify(onListenerError?: (error: unknown) => void): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (error) {
        onListenerError?.(error);
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
