import type { DescMessage } from '@bufbuild/protobuf';
import { VehicleAlertsSchema } from '../gen/vehicle_alert_pb.js';
import { VehicleConnectivitySchema } from '../gen/vehicle_connectivity_pb.js';
import { PayloadSchema } from '../gen/vehicle_data_pb.js';
import { VehicleErrorsSchema } from '../gen/vehicle_error_pb.js';

/** The record types whose payload is a known protobuf message, and that message. */
export const RECORD_SCHEMAS = {
  V: PayloadSchema,
  alerts: VehicleAlertsSchema,
  errors: VehicleErrorsSchema,
  connectivity: VehicleConnectivitySchema,
} as const satisfies Record<string, DescMessage>;

export type KnownRecordType = keyof typeof RECORD_SCHEMAS;

export function isKnownRecordType(recordType: string): recordType is KnownRecordType {
  return Object.hasOwn(RECORD_SCHEMAS, recordType);
}
