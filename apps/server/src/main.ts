import { installMeterProvider } from './metrics/provider.js';

// The SDK must be the global MeterProvider before any library creates its meter, so the rest of
// the server is loaded only after it is installed.
const metrics = installMeterProvider();
const { runCli } = await import('./cli/run.js');
const exitCode = await runCli(process.argv.slice(2), metrics);
// Exit explicitly: a client that never closes its keep-alive connection must not hold the process.
process.exit(exitCode);
