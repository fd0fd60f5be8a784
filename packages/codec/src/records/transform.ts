import { VehicleConnectivitySchema } from '../gen/vehicle_connectivity_pb.js';
import { VehicleErrorsSchema } from '../gen/vehicle_error_pb.js';
import { transformAlerts } from './alerts.js';
import { setStringField } from './string-field.js';
import { transformVehicleData } from './vehicle-data.js';

/** What a transform counted on its way, for callers that would otherwise walk the result again. */
export interface TransformStats {
  /**
   * Top-level signal entries: `Payload.data` for `V`, `VehicleAlerts.alerts` for `alerts` (what
   * `countTopLevelField(result, 1)` returns); 0 for other record types.
   */
  signals: number;
}

/**
 * Turns the payload a vehicle sent for `recordType` into the protobuf bytes handed to sinks:
 * - `V` (Payload): `vin` set to the certificate's; a `Location` datum holding a string such as
 *   `(37.412374 S, 122.145867 E)` becomes a `location_value`; every string value in scientific
 *   notation is rewritten with 5 decimals (`1.5e-3` → `0.00150`);
 * - `alerts` (VehicleAlerts): `vin` set; alert timestamps whose seconds are really
 *   milliseconds are converted;
 * - `errors` (VehicleErrors) and `connectivity` (VehicleConnectivity): `vin` set;
 * - any other record type: `payload` untouched.
 *
 * Returns `payload` itself when nothing needs to change. `vin` is the device id of the client
 * certificate: a vehicle never chooses the VIN its records carry.
 *
 * With `stats`, also reports what the transform counted (the object is filled in, so a caller can
 * reuse one).
 *
 * @throws PayloadDecodeError when the payload does not decode as the record type's message.
 */
export function transformPayload(recordType: string, payload: Uint8Array, vin: string, stats?: TransformStats): Uint8Array {
  if (stats !== undefined) stats.signals = 0;
  switch (recordType) {
    case 'V':
      return transformVehicleData(payload, vin, stats);
    case 'alerts':
      return transformAlerts(payload, vin, stats);
    case 'errors':
      return setStringField(VehicleErrorsSchema, 'vin', payload, vin);
    case 'connectivity':
      return setStringField(VehicleConnectivitySchema, 'vin', payload, vin);
    default:
      return payload;
  }
}
