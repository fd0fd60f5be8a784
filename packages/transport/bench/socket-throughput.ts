/**
 * Frames per second through real mTLS WebSockets on loopback: each vehicle sends its frames as fast
 * as it can and the run ends when every ack is back. Run from this package:
 *   npx tsx --conditions=@fleet-telemetry/source bench/socket-throughput.ts [vehicles] [frames per vehicle]
 */
import { NoopSink } from '@fleet-telemetry/sink-api';
import { VehicleClient } from '../test/support/client.js';
import { streamFrame, vehicleData } from '../test/support/frames.js';
import { createTestPki } from '../test/support/pki.js';
import { startServer } from '../test/support/server.js';

const vehicles = Number(process.argv[2] ?? 4);
const framesPerVehicle = Number(process.argv[3] ?? 20_000);

const pki = await createTestPki();
const running = await startServer(pki, { routes: { V: [new NoopSink('kafka')] } });
const clients: VehicleClient[] = await Promise.all(
  Array.from({ length: vehicles }, async (_, index) => {
    const certificate = await pki.vehicle({ vin: `5YJ3E1EA7KF${String(index).padStart(6, '0')}` });
    return VehicleClient.connect(running.port, running.clientOptions({ certificate }));
  }),
);
const frames = Array.from({ length: 100 }, (_, index) =>
  streamFrame({ txid: `tx-${index}`, topic: 'V', payload: vehicleData({ odometer: index }) }),
);

const started = process.hrtime.bigint();
await Promise.all(
  clients.map(async (client) => {
    for (let sent = 0; sent < framesPerVehicle; sent += frames.length) {
      for (const frame of frames) client.send(frame);
      // Keep at most a few batches in flight, as a vehicle's delivery window would.
      await client.until(() => client.received.length >= sent - 4 * frames.length, 'acks');
    }
    await client.until(() => client.received.length >= framesPerVehicle, 'all acks');
  }),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const total = vehicles * framesPerVehicle;
console.log(
  `${vehicles} vehicles × ${framesPerVehicle} V frames (${frames[0]!.length} bytes): ` +
    `${Math.round(total / seconds)} frames/s, ${seconds.toFixed(2)} s`,
);
for (const client of clients) client.ws.terminate();
await running.close();
pki.dispose();
