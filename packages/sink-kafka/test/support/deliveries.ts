/**
 * Delivery callbacks for `count` writes: `done` resolves once each was called, `results` holds
 * what each got first (`undefined` = confirmed) and `calls` how often each was called.
 */
export function deliveries(count: number) {
  const results = new Array<Error | undefined | 'pending'>(count).fill('pending');
  const calls = new Array<number>(count).fill(0);
  let settled = 0;
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => (resolve = r));
  return {
    callback(index: number) {
      return (error?: Error) => {
        calls[index] = (calls[index] ?? 0) + 1;
        if (results[index] === 'pending') {
          results[index] = error;
          settled += 1;
          if (settled === count) resolve();
        }
      };
    },
    done,
    results,
    calls,
    get settled() {
      return settled;
    },
  };
}
