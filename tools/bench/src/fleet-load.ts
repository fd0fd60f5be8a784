import { runSimulation, type SimulationOptions } from '@fleet-telemetry/vehicle-sim';

// The simulated fleet of the Kafka benchmark, in its own process so its CPU is measured apart
// from the server's. Settings come as JSON in the first argument; the fleet sends until a line
// arrives on stdin (the window is over), then waits for the outstanding acks. Progress and the
// summary go to stdout as one JSON object per line.

const options = JSON.parse(process.argv[2] ?? '{}') as SimulationOptions;
const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const stop = new AbortController();
process.stdin.once('data', () => stop.abort());

const summary = await runSimulation({
  ...options,
  signal: stop.signal,
  progressIntervalMs: 500,
  onProgress: (progress) => emit({ kind: 'progress', progress }),
});
emit({ kind: 'summary', summary });
process.exit(0);
