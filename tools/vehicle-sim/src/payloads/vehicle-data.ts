import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  DetailedChargeStateValue,
  Field,
  PayloadSchema,
  SentryModeState,
  ShiftState,
  type Payload,
  type Value,
} from '@fleet-telemetry/codec';
import type { Random } from '../random.js';
import { fastChargeAmps, type VehicleState } from './vehicle-state.js';

type ValueCase = Value['value'];
type DatumInit = { key: Field; value: { value: ValueCase } };

const datum = (key: Field, value: ValueCase): DatumInit => ({ key, value: { value } });
const double = (value: number): ValueCase => ({ case: 'doubleValue', value });
const float = (value: number): ValueCase => ({ case: 'floatValue', value });
const int = (value: number): ValueCase => ({ case: 'intValue', value: Math.round(value) });
const bool = (value: boolean): ValueCase => ({ case: 'booleanValue', value });
const text = (value: string): ValueCase => ({ case: 'stringValue', value });
const round = (value: number, decimals: number) => Number(value.toFixed(decimals));

/**
 * Vehicles send a Location as text, e.g. `(37.412374 N, 122.145867 W)`; the server turns it into a
 * `location_value`.
 */
export function formatLocation(latitude: number, longitude: number): string {
  const lat = `${Math.abs(latitude).toFixed(6)} ${latitude < 0 ? 'S' : 'N'}`;
  const lon = `${Math.abs(longitude).toFixed(6)} ${longitude < 0 ? 'W' : 'E'}`;
  return `(${lat}, ${lon})`;
}

/** Older firmware sends some numbers as text in scientific notation (`-1.234e+1`); the server rewrites them. */
const scientific = (value: number): ValueCase => text(value.toExponential(3));

function shiftState(state: VehicleState): ShiftState {
  if (state.mode !== 'driving') return ShiftState.ShiftStateP;
  return state.speedKph > 0 ? ShiftState.ShiftStateD : ShiftState.ShiftStateN;
}

function chargeState(state: VehicleState): string {
  if (state.mode === 'charging') return 'Enable';
  return state.mode === 'driving' ? 'Idle' : 'Standby';
}

/** Signals every frame carries (12). */
function coreData(state: VehicleState): DatumInit[] {
  return [
    datum(Field.VehicleSpeed, double(round(state.speedKph / 1.609344, 1))),
    datum(Field.Odometer, double(round(state.odometerMiles, 3))),
    datum(Field.Soc, double(round(state.soc, 2))),
    datum(Field.BatteryLevel, double(round(state.soc - 0.4, 2))),
    datum(Field.EstBatteryRange, double(round(state.soc * 3.1, 2))),
    datum(Field.Gear, { case: 'shiftStateValue', value: shiftState(state) }),
    datum(Field.Location, text(formatLocation(state.latitude, state.longitude))),
    datum(Field.GpsHeading, double(round(state.heading, 1))),
    datum(Field.ChargeState, text(chargeState(state))),
    datum(Field.DetailedChargeState, {
      case: 'detailedChargeStateValue',
      value:
        state.mode === 'charging'
          ? DetailedChargeStateValue.DetailedChargeStateCharging
          : DetailedChargeStateValue.DetailedChargeStateDisconnected,
    }),
    datum(Field.Locked, bool(state.locked)),
    datum(Field.VehicleName, text(state.name)),
  ];
}

/** Signals sampled per frame to vary the payload's size and shape. */
const optionalSignals: readonly ((state: VehicleState, random: Random) => DatumInit)[] = [
  (s, r) => datum(Field.PackVoltage, double(round(350 + s.soc * 0.5 + r.between(-1, 1), 2))),
  (s, r) => {
    const current = s.mode === 'charging' ? -s.chargeAmps : s.speedKph * 1.3 + r.between(-5, 5);
    return datum(Field.PackCurrent, r.chance(0.3) ? scientific(current) : double(round(current, 2)));
  },
  (s, r) => datum(Field.InsideTemp, float(round(s.insideTempC + r.between(-0.2, 0.2), 1))),
  (s) => datum(Field.OutsideTemp, float(round(s.outsideTempC, 1))),
  (s) => datum(Field.ChargeAmps, int(s.chargeAmps)),
  (s) => datum(Field.ChargerPhases, int(s.mode === 'charging' ? 3 : 0)),
  (_s, r) => datum(Field.ChargeLimitSoc, int(r.pick([80, 85, 90, 100]))),
  (s) => datum(Field.FastChargerPresent, bool(s.chargeAmps > fastChargeAmps)),
  (s) => datum(Field.DCDCEnable, bool(s.mode === 'driving')),
  (s) => datum(Field.BatteryHeaterOn, bool(s.outsideTempC < 0)),
  (_s, r) => datum(Field.PreconditioningEnabled, bool(r.chance(0.1))),
  () => datum(Field.Version, text('2024.44.25.3 a1b2c3d4e5')),
  (s) => datum(Field.RatedRange, double(round(s.soc * 3.2, 2))),
  (s) => datum(Field.IdealBatteryRange, double(round(s.soc * 3.3, 2))),
  (s, r) => datum(Field.LateralAcceleration, double(round(s.mode === 'driving' ? r.between(-0.3, 0.3) : 0, 3))),
  (s, r) => datum(Field.LongitudinalAcceleration, double(round(s.mode === 'driving' ? r.between(-0.3, 0.3) : 0, 3))),
  (s, r) => datum(Field.DiMotorCurrentR, r.chance(0.5) ? scientific(s.speedKph * 2.1) : double(round(s.speedKph * 2.1, 1))),
  (_s, r) => datum(Field.IsolationResistance, int(r.int(2_500, 4_800))),
  (s) => datum(Field.LifetimeEnergyUsed, double(round(s.odometerMiles * 0.28, 3))),
  (_s, r) => datum(Field.TpmsPressureFl, double(round(r.between(2.8, 3.0), 3))),
  (_s, r) => datum(Field.TpmsPressureFr, double(round(r.between(2.8, 3.0), 3))),
  (_s, r) => datum(Field.SentryMode, { case: 'sentryModeStateValue', value: r.chance(0.2) ? SentryModeState.SentryModeStateArmed : SentryModeState.SentryModeStateOff }),
  (_s, r) =>
    datum(Field.ScheduledDepartureTime, { case: 'longValue', value: BigInt(1_700_000_000 + r.int(0, 86_400 * 365)) }),
];

export const minVehicleDatums = 15;
export const maxVehicleDatums = 25;

/** A `V` record: 15–25 datums of mixed value types, consistent with the vehicle's state. */
export function buildVehicleData(state: VehicleState, random: Random, nowMs: number): Payload {
  const data = coreData(state);
  const wanted = random.int(minVehicleDatums, maxVehicleDatums);
  const pool = [...optionalSignals];
  while (data.length < wanted && pool.length > 0) {
    const [signal] = pool.splice(random.int(0, pool.length - 1), 1);
    if (signal) data.push(signal(state, random));
  }
  const init: MessageInitShape<typeof PayloadSchema> = { data, createdAt: timestampFromMs(nowMs), vin: state.vin };
  return create(PayloadSchema, init);
}

export function encodeVehicleData(state: VehicleState, random: Random, nowMs: number): Uint8Array {
  return toBinary(PayloadSchema, buildVehicleData(state, random, nowMs));
}
