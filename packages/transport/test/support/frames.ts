import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  ConnectivityEvent,
  decodeEnvelope,
  encodeStreamFrame,
  Field,
  PayloadSchema,
  VehicleAlertsSchema,
  VehicleConnectivitySchema,
  VehicleErrorsSchema,
  viewToString,
} from '@fleet-telemetry/codec';

export const vin = '5YJ3E1EA7KF000001';
export const senderId = `vehicle_device.${vin}`;

export function streamFrame(fields: {
  txid: string;
  topic: string;
  payload: Uint8Array;
  senderId?: string;
}): Uint8Array {
  return encodeStreamFrame({
    txid: fields.txid,
    topic: fields.topic,
    senderId: fields.senderId ?? senderId,
    deviceId: vin,
    deviceType: 'vehicle_device',
    createdAt: 1_700_000_000,
    payload: fields.payload,
  });
}

export function vehicleData(options: { vin?: string; odometer?: number; name?: string } = {}): Uint8Array {
  return toBinary(
    PayloadSchema,
    create(PayloadSchema, {
      vin: options.vin ?? '',
      createdAt: timestampFromMs(1_700_000_000_000),
      data: [
        { key: Field.Odometer, value: { value: { case: 'doubleValue', value: options.odometer ?? 42_000 } } },
        { key: Field.VehicleName, value: { value: { case: 'stringValue', value: options.name ?? 'car' } } },
      ],
    }),
  );
}

export function alerts(spoofedVin: string): Uint8Array {
  return toBinary(
    VehicleAlertsSchema,
    create(VehicleAlertsSchema, {
      vin: spoofedVin,
      alerts: [{ name: 'alert', audiences: [], startedAt: timestampFromMs(1_700_000_000_000) }],
    }),
  );
}

export function vehicleErrors(spoofedVin: string): Uint8Array {
  return toBinary(
    VehicleErrorsSchema,
    create(VehicleErrorsSchema, { vin: spoofedVin, errors: [{ name: 'error', body: 'x' }] }),
  );
}

export function connectivity(spoofedVin: string): Uint8Array {
  return toBinary(
    VehicleConnectivitySchema,
    create(VehicleConnectivitySchema, {
      vin: spoofedVin,
      connectionId: 'c',
      status: ConnectivityEvent.CONNECTED,
    }),
  );
}

/** A decoded response: ack or error. */
export interface Response {
  readonly kind: 'ack' | 'error' | 'other';
  readonly txid: string;
  readonly topic: string;
  readonly payload: string;
}

export function readResponse(frame: Uint8Array): Response {
  const envelope = decodeEnvelope(frame);
  const kind = envelope.messageType === 5 ? 'ack' : envelope.stream !== undefined ? 'error' : 'other';
  return {
    kind,
    txid: viewToString(envelope.txid),
    topic: viewToString(envelope.topic),
    payload: envelope.stream === undefined ? '' : viewToString(envelope.stream.payload),
  };
}
