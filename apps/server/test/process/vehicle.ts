import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { decodeEnvelope, encodeStreamFrame, Field, PayloadSchema, type EnvelopeView } from '@fleet-telemetry/codec';
import type { DevPki } from '@fleet-telemetry/dev-pki';
import { WebSocket } from 'ws';

/** A minimal vehicle: an mTLS WebSocket that sends Stream frames and collects the answers. */
export interface TestVehicle {
  readonly vin: string;
  readonly socketId: string;
  sendVehicleData(txid: string, vehicleName: string): void;
  /** Resolves with the first answer for `txid`. */
  answer(txid: string): Promise<EnvelopeView>;
  /** Resolves with the close code once the server closed the socket. */
  readonly closed: Promise<number>;
  close(): void;
}

export async function connectVehicle(pki: DevPki, port: number, networkInterface: string): Promise<TestVehicle> {
  const vehicle = pki.vehicles[0];
  if (vehicle === undefined) throw new Error('the PKI has no vehicle');
  const socketId = randomUUID();
  const ws = new WebSocket(`wss://127.0.0.1:${port}/`, {
    cert: readFileSync(vehicle.certFile),
    key: readFileSync(vehicle.keyFile),
    ca: readFileSync(pki.caFile),
    headers: { 'X-TXID': socketId, 'X-Network-Interface': networkInterface, Version: '2024.44.25' },
  });
  const answers: EnvelopeView[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    answers.push(decodeEnvelope(new Uint8Array(data)));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const decoder = new TextDecoder();

  return {
    vin: vehicle.vin,
    socketId,
    closed,
    sendVehicleData(txid, vehicleName) {
      const payload = create(PayloadSchema, {
        data: [{ key: Field.VehicleName, value: { value: { case: 'stringValue', value: vehicleName } } }],
        createdAt: timestampNow(),
        vin: 'SPOOFED0000000000',
      });
      ws.send(
        encodeStreamFrame({
          txid,
          topic: 'V',
          senderId: `vehicle_device.${vehicle.vin}`,
          deviceId: vehicle.vin,
          deviceType: 'vehicle_device',
          createdAt: Math.floor(Date.now() / 1000),
          payload: toBinary(PayloadSchema, payload),
        }),
      );
    },
    answer(txid) {
      return new Promise((resolve) => {
        const check = () => {
          const found = answers.find((answer) => decoder.decode(answer.txid) === txid);
          if (found === undefined) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => ws.close(),
  };
}
