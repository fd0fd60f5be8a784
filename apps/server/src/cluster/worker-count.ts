import { availableParallelism } from 'node:os';

/**
 * How many server processes to run: the `--workers` flag, else the config's `workers`, else 1.
 * 0 means one per CPU this process may run on (`os.availableParallelism()`, which follows CPU
 * affinity; a container's CPU quota is not visible there, so set the number explicitly in one).
 */
export function resolveWorkerCount(flag: number | undefined, configured: number | undefined, cpus = availableParallelism()): number {
  const requested = flag ?? configured ?? 1;
  return requested === 0 ? cpus : requested;
}
