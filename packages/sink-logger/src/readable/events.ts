import {
  AudienceSchema,
  ConnectivityEventSchema,
  type VehicleAlerts,
  type VehicleConnectivity,
  type VehicleErrors,
} from '@fleet-telemetry/codec';
import type { DescEnum } from '@bufbuild/protobuf';
import { epochSeconds } from './time.js';

/** Each alert as `{ Name, StartedAt?, EndedAt?, Audiences }`, timestamps in epoch seconds. */
export function readableAlerts(message: VehicleAlerts): Array<Record<string, unknown>> {
  return message.alerts.map((alert) => ({
    Name: alert.name,
    ...(alert.startedAt && { StartedAt: epochSeconds(alert.startedAt) }),
    ...(alert.endedAt && { EndedAt: epochSeconds(alert.endedAt) }),
    Audiences: alert.audiences.length === 0 ? null : alert.audiences.map((audience) => enumName(AudienceSchema, audience)),
  }));
}

/** Each error as `{ Name, Body, Tags, CreatedAt? }`. */
export function readableErrors(message: VehicleErrors): Array<Record<string, unknown>> {
  return message.errors.map((error) => ({
    Name: error.name,
    Body: error.body,
    Tags: Object.keys(error.tags).length === 0 ? null : { ...error.tags },
    ...(error.createdAt && { CreatedAt: epochSeconds(error.createdAt) }),
  }));
}

export function readableConnectivity(message: VehicleConnectivity): Record<string, unknown> {
  return {
    Vin: message.vin,
    ConnectionID: message.connectionId,
    NetworkInterface: message.networkInterface,
    Status: enumName(ConnectivityEventSchema, message.status),
    CreatedAt: epochSeconds(message.createdAt),
  };
}

/** The proto name of an enum value; the number itself when this schema does not know it. */
export function enumName(schema: DescEnum, value: number): string {
  return schema.values.find((candidate) => candidate.number === value)?.name ?? String(value);
}
