import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs, type Timestamp } from '@bufbuild/protobuf/wkt';
import { Audience, VehicleAlertsSchema, type VehicleAlerts } from '@fleet-telemetry/codec';
import type { Random } from '../random.js';
import type { VehicleState } from './vehicle-state.js';

/** Alert names in the vehicle's `<ECU>_<a|w><number>_<description>` style. */
export const alertNames: readonly string[] = [
  'BMS_a066_SW_Charge_Limit_Reached',
  'CP_a046_chargeStoppedUnexpectedly',
  'DI_a175_dcCapTempHigh',
  'UMC_a005_noGroundDetected',
  'VCFRONT_a192_hvacPerformanceLimited',
  'VCSEC_a218_keyFobBatteryLow',
  'APP_w222_batteryLowChargeSoon',
  'TAS_a004_tirePressureLow',
];

const audienceSets: readonly (readonly Audience[])[] = [
  [Audience.Customer],
  [Audience.Service],
  [Audience.Customer, Audience.Service],
  [Audience.Service, Audience.Service_fix],
];

/**
 * Some firmware writes alert times as milliseconds in the seconds field; the server detects and
 * converts them, so a small share of simulated alerts does the same.
 */
function alertTime(ms: number, random: Random): Timestamp {
  const time = timestampFromMs(ms);
  if (random.chance(0.1)) time.seconds = BigInt(Math.floor(ms));
  return time;
}

/** An `alerts` record: 1–3 alerts, some still active, some ended. */
export function buildVehicleAlerts(state: VehicleState, random: Random, nowMs: number): VehicleAlerts {
  const count = random.int(1, 3);
  const alerts = [];
  for (let i = 0; i < count; i++) {
    const startedAtMs = nowMs - random.int(1_000, 3_600_000);
    const ended = random.chance(0.4);
    alerts.push({
      name: random.pick(alertNames),
      audiences: [...random.pick(audienceSets)],
      startedAt: alertTime(startedAtMs, random),
      ...(ended ? { endedAt: alertTime(startedAtMs + random.int(500, 600_000), random) } : {}),
    });
  }
  return create(VehicleAlertsSchema, { alerts, createdAt: timestampFromMs(nowMs), vin: state.vin });
}

export function encodeVehicleAlerts(state: VehicleState, random: Random, nowMs: number): Uint8Array {
  return toBinary(VehicleAlertsSchema, buildVehicleAlerts(state, random, nowMs));
}
