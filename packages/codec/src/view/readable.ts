import { fromBinary, fromJsonString } from '@bufbuild/protobuf';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { base64Encode } from '@bufbuild/protobuf/wire';
import { AudienceSchema, VehicleAlertsSchema } from '../gen/vehicle_alert_pb.js';
import { ConnectivityEventSchema, VehicleConnectivitySchema } from '../gen/vehicle_connectivity_pb.js';
import { PayloadSchema } from '../gen/vehicle_data_pb.js';
import { VehicleErrorsSchema } from '../gen/vehicle_error_pb.js';
import type { ReadableObject, ReadableRecord, ReadableRecordOptions } from './types.js';
import { unixSeconds } from './values.js';
import { readablePayload } from './vehicle-data.js';

/**
 * A record as plain data for a log line, shaped like the reference server's logger output:
 * - `V`: `{ Vin, CreatedAt, <Field name>: value, ... }` (see readablePayload);
 * - `alerts`: `[{ Name, StartedAt?, EndedAt?, Audiences }]`, times in epoch seconds;
 * - `errors`: `[{ Name, Body, Tags, CreatedAt? }]`;
 * - `connectivity`: `{ Vin, ConnectionID, NetworkInterface, Status, CreatedAt }`;
 * - any other record type: `{ raw: <base64 of the bytes> }`.
 * Never throws: bytes that do not decode give `{ raw, error }`.
 */
export function readableRecord(recordType: string, bytes: Uint8Array, options: ReadableRecordOptions = {}): ReadableRecord {
  const decode = <S extends DescMessage>(schema: S): MessageShape<S> =>
    options.encoding === 'json'
      ? fromJsonString(schema, new TextDecoder().decode(bytes), { ignoreUnknownFields: true })
      : fromBinary(schema, bytes);
  try {
    switch (recordType) {
      case 'V':
        return readablePayload(decode(PayloadSchema), options.typed === true);
      case 'alerts':
        return decode(VehicleAlertsSchema).alerts.map((alert) => {
          const readable: ReadableObject = { Name: alert.name };
          const startedAt = unixSeconds(alert.startedAt);
          const endedAt = unixSeconds(alert.endedAt);
          if (startedAt !== undefined) readable['StartedAt'] = startedAt;
          if (endedAt !== undefined) readable['EndedAt'] = endedAt;
          readable['Audiences'] =
            alert.audiences.length === 0 ? null : alert.audiences.map((audience) => AudienceSchema.value[audience]?.name ?? String(audience));
          return readable;
        });
      case 'errors':
        return decode(VehicleErrorsSchema).errors.map((vehicleError) => {
          const readable: ReadableObject = {
            Name: vehicleError.name,
            Body: vehicleError.body,
            Tags: Object.keys(vehicleError.tags).length === 0 ? null : { ...vehicleError.tags },
          };
          const createdAt = unixSeconds(vehicleError.createdAt);
          if (createdAt !== undefined) readable['CreatedAt'] = createdAt;
          return readable;
        });
      case 'connectivity': {
        const event = decode(VehicleConnectivitySchema);
        return {
          Vin: event.vin,
          ConnectionID: event.connectionId,
          NetworkInterface: event.networkInterface,
          Status: ConnectivityEventSchema.value[event.status]?.name ?? String(event.status),
          CreatedAt: unixSeconds(event.createdAt) ?? 0,
        };
      }
      default:
        return { raw: raw(bytes, options) };
    }
  } catch (error) {
    return { raw: raw(bytes, options), error: error instanceof Error ? error.message : String(error) };
  }
}

function raw(bytes: Uint8Array, options: ReadableRecordOptions): string {
  return options.encoding === 'json' ? new TextDecoder().decode(bytes) : base64Encode(bytes);
}
