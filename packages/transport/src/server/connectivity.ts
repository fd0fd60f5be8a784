import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { ConnectivityEvent, VehicleConnectivitySchema } from '@fleet-telemetry/codec';
import type { PayloadEncoding, TelemetryRecord } from '@fleet-telemetry/sink-api';
import type { ConnectionInfo } from '../connection/connection-info.js';
import { buildRecord } from '../connection/record-builder.js';

export const connectivityRecordType = 'connectivity';

export type ConnectivityStatus = 'connected' | 'disconnected';

/**
 * The `connectivity` record the server dispatches when a socket registers or deregisters, exactly
 * as if the vehicle had sent it: VehicleConnectivity{vin, connection_id = socket id,
 * network_interface, created_at = now, status}, txid = the socket id.
 */
export function connectivityRecord(
  connection: ConnectionInfo,
  status: ConnectivityStatus,
  options: { readonly now?: number; readonly encoding?: PayloadEncoding } = {},
): TelemetryRecord {
  const now = options.now ?? Date.now();
  const message = create(VehicleConnectivitySchema, {
    vin: connection.deviceId,
    connectionId: connection.socketId,
    networkInterface: connection.networkInterface,
    createdAt: timestampFromMs(now),
    status: status === 'connected' ? ConnectivityEvent.CONNECTED : ConnectivityEvent.DISCONNECTED,
  });
  return buildRecord({
    recordType: connectivityRecordType,
    txid: connection.socketId,
    socketId: connection.socketId,
    vin: connection.deviceId,
    receivedAt: now,
    payload: toBinary(VehicleConnectivitySchema, message),
    encoding: options.encoding ?? 'protobuf',
    deviceClientVersion: connection.version,
  }).record;
}
