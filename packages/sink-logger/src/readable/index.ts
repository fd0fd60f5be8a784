import {
  PayloadSchema,
  VehicleAlertsSchema,
  VehicleConnectivitySchema,
  VehicleErrorsSchema,
} from '@fleet-telemetry/codec';
import type { TelemetryRecord } from '@fleet-telemetry/sink-api';
import { decodePayload } from './decode.js';
import { readableAlerts, readableConnectivity, readableErrors } from './events.js';
import { readableVehicleData } from './vehicle-data.js';

/** Thrown for record types the logger cannot read. */
export class UnreadableRecordError extends Error {
  constructor(recordType: string) {
    super(`unknown txType: ${recordType}`);
    this.name = 'UnreadableRecordError';
  }
}

/**
 * The `data` of a `record_payload` line: a `V` payload as a map of field names to plain values,
 * alerts and errors as lists of maps, a connectivity event as a map.
 *
 * @throws when the payload does not decode, or for a record type without a schema
 */
export function readableData(record: TelemetryRecord, verbose: boolean): unknown {
  const { payload, encoding } = record;
  switch (record.recordType) {
    case 'V':
      return readableVehicleData(decodePayload(PayloadSchema, payload, encoding), verbose, record.vin);
    case 'alerts':
      return readableAlerts(decodePayload(VehicleAlertsSchema, payload, encoding));
    case 'errors':
      return readableErrors(decodePayload(VehicleErrorsSchema, payload, encoding));
    case 'connectivity':
      return readableConnectivity(decodePayload(VehicleConnectivitySchema, payload, encoding));
    default:
      throw new UnreadableRecordError(record.recordType);
  }
}
