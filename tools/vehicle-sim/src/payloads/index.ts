import type { SimulatedTopic } from '../mix.js';
import type { Random } from '../random.js';
import { encodeVehicleAlerts } from './alerts.js';
import { encodeVehicleErrors } from './errors.js';
import { encodeVehicleData } from './vehicle-data.js';
import type { VehicleState } from './vehicle-state.js';

/** Encodes one record of a topic for a vehicle at `nowMs` (epoch ms). */
export type PayloadEncoder = (state: VehicleState, random: Random, nowMs: number) => Uint8Array;

export const payloadEncoders: Readonly<Record<SimulatedTopic, PayloadEncoder>> = {
  V: encodeVehicleData,
  alerts: encodeVehicleAlerts,
  errors: encodeVehicleErrors,
};
