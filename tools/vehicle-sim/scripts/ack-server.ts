// A stand-in server that acks every frame at once: measures what the simulator alone can drive.
//   pnpm --filter @fleet-telemetry/vehicle-sim ack-server -- [--port 4443] [--pki <dir>]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createDevPki } from '@fleet-telemetry/dev-pki';
import { defaultPkiDir, startAckServer } from '../src/index.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg, index) => index > 0 || arg !== '--'),
  options: { port: { type: 'string', default: '4443' }, pki: { type: 'string' }, host: { type: 'string' } },
});
const pki = await createDevPki(values.pki ?? defaultPkiDir());
const server = await startAckServer({
  cert: await readFile(pki.serverCertFile),
  key: await readFile(pki.serverKeyFile),
  ca: await readFile(pki.chainFile),
  port: Number(values.port),
  ...(values.host ? { host: values.host } : {}),
});
console.error(`acking every frame on ${server.url}`);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
