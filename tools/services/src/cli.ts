#!/usr/bin/env node
// Runs one of the integration services in the foreground on 127.0.0.1 until Ctrl-C:
//   pnpm --filter @fleet-telemetry/test-services exec tsx src/cli.ts kafka [--port 9092]
import { parseArgs } from 'node:util';
import { startKafka } from './kafka.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { port: { type: 'string' } } });
const service = positionals[0];
const port = values.port ? Number(values.port) : undefined;

async function main(): Promise<void> {
  switch (service) {
    case 'kafka': {
      const broker = await startKafka({ port });
      console.log(`kafka ${broker.bootstrapServers} (data ${broker.dataDir}, log ${broker.logFile}); Ctrl-C stops it`);
      await untilSignal();
      await broker.destroy();
      return;
    }
    default:
      console.error(`usage: cli.ts kafka [--port N]`);
      process.exitCode = 2;
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
