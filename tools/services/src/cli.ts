#!/usr/bin/env node
// Runs one of the integration services in the foreground on 127.0.0.1 until Ctrl-C:
//   pnpm --filter @fleet-telemetry/test-services exec tsx src/cli.ts kafka [--port 9092]
//   pnpm --filter @fleet-telemetry/test-services exec tsx src/cli.ts kinesalite [--port 4567]
//   pnpm --filter @fleet-telemetry/test-services exec tsx src/cli.ts pubsub [--port 8085]
import { parseArgs } from 'node:util';
import { startKafka } from './kafka.js';
import { startKinesalite } from './kinesalite.js';
import { startPubSubEmulator } from './pubsub-emulator.js';

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
    case 'kinesalite': {
      const kinesis = await startKinesalite({ port });
      console.log(`kinesalite ${kinesis.endpoint} (data ${kinesis.dataDir}, log ${kinesis.logFile}); Ctrl-C stops it`);
      await untilSignal();
      await kinesis.destroy();
      return;
    }
    case 'pubsub': {
      const emulator = await startPubSubEmulator({ port });
      console.log(`Pub/Sub emulator: PUBSUB_EMULATOR_HOST=${emulator.host} (log ${emulator.logFile}); Ctrl-C stops it`);
      await untilSignal();
      await emulator.destroy();
      return;
    }
    default:
      console.error(`usage: cli.ts kafka|kinesalite|pubsub [--port N]`);
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
