import { fromBinary } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { ConnectivityEvent, VehicleConnectivitySchema } from '@fleet-telemetry/codec';
import { describe, expect, it } from 'vitest';
import { connectivityRecord, type ConnectionInfo } from '../src/index.js';

const connection: ConnectionInfo = {
  socketId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  deviceId: '5YJ3E1EA7KF000001',
  clientType: 'vehicle_device',
  senderId: 'vehicle_device.5YJ3E1EA7KF000001',
  networkInterface: 'cellular',
  version: '2025.2.6',
  userAgent: '',
  forwardedFor: '',
  remoteAddress: '127.0.0.1',
  connectedAt: 1_700_000_000_000,
};

describe('connectivityRecord', () => {
  it('builds the connectivity record a vehicle would have sent', () => {
    const record = connectivityRecord(connection, 'disconnected', { now: 1_700_000_000_456 });
    expect(record).toMatchObject({
      recordType: 'connectivity',
      vin: connection.deviceId,
      txid: connection.socketId,
      socketId: connection.socketId,
      receivedAt: 1_700_000_000_456,
      encoding: 'protobuf',
      metadata: {
        vin: connection.deviceId,
        txid: connection.socketId,
        txtype: 'connectivity',
        receivedat: '1700000000456',
        device_client_version: '2025.2.6',
      },
    });
    const message = fromBinary(VehicleConnectivitySchema, record.payload);
    expect(message).toMatchObject({
      vin: connection.deviceId,
      connectionId: connection.socketId,
      networkInterface: 'cellular',
      status: ConnectivityEvent.DISCONNECTED,
    });
    expect(timestampMs(message.createdAt!)).toBe(1_700_000_000_456);
  });

  it('writes canonical JSON when asked', () => {
    const record = connectivityRecord(connection, 'connected', { now: 1_700_000_000_000, encoding: 'json' });
    expect(record.encoding).toBe('json');
    expect(JSON.parse(Buffer.from(record.payload).toString('utf8'))).toEqual({
      vin: connection.deviceId,
      connectionId: connection.socketId,
      status: 'CONNECTED',
      createdAt: '2023-11-14T22:13:20Z',
      networkInterface: 'cellular',
    });
  });
});
