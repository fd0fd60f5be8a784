import type { Random } from '../random.js';

export type DriveMode = 'driving' | 'parked' | 'charging';

/** What a simulated car is doing; its signals are derived from this so they stay consistent. */
export interface VehicleState {
  readonly vin: string;
  readonly name: string;
  mode: DriveMode;
  speedKph: number;
  odometerMiles: number;
  /** State of charge, percent. */
  soc: number;
  latitude: number;
  longitude: number;
  /** Degrees clockwise from north. */
  heading: number;
  insideTempC: number;
  outsideTempC: number;
  chargeAmps: number;
  locked: boolean;
}

const vehicleNames = ['Red Rocket', 'Blue Thunder', 'Commuter', 'Model Y', 'Road Trip', 'Silent Night'];
/** Bay Area start points, so locations look like somewhere vehicles actually drive. */
const startPoints: readonly (readonly [number, number])[] = [
  [37.412374, -122.145867],
  [37.774929, -122.419416],
  [37.338207, -121.88633],
  [37.548271, -121.988571],
];

export function initialVehicleState(vin: string, random: Random): VehicleState {
  const [latitude, longitude] = random.pick(startPoints);
  return {
    vin,
    name: random.pick(vehicleNames),
    mode: random.pick<DriveMode>(['driving', 'driving', 'parked', 'charging']),
    speedKph: random.between(0, 90),
    odometerMiles: random.between(1_000, 80_000),
    soc: random.between(25, 95),
    latitude: latitude + random.between(-0.05, 0.05),
    longitude: longitude + random.between(-0.05, 0.05),
    heading: random.between(0, 360),
    insideTempC: random.between(18, 24),
    outsideTempC: random.between(5, 30),
    chargeAmps: 0,
    locked: random.chance(0.5),
  };
}

/** Above this the car is on a DC fast charger. */
export const fastChargeAmps = 48;

const kmPerMile = 1.609344;
const metersPerDegreeLatitude = 111_320;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** Moves the car on by `seconds`: speed random walk, position along the heading, charge in or out. */
export function advanceVehicleState(state: VehicleState, seconds: number, random: Random): void {
  if (random.chance(Math.min(1, seconds / 600))) {
    state.mode = random.pick<DriveMode>(['driving', 'parked', 'charging']);
  }
  state.outsideTempC = clamp(state.outsideTempC + random.between(-0.05, 0.05) * seconds, -20, 45);
  state.insideTempC = clamp(state.insideTempC + (21 - state.insideTempC) * 0.01 * seconds, -20, 60);

  if (state.mode === 'driving') {
    state.speedKph = clamp(state.speedKph + random.between(-3, 3) * seconds, 0, 130);
    state.heading = (state.heading + random.between(-5, 5) * seconds + 360) % 360;
    const meters = (state.speedKph / 3.6) * seconds;
    const radians = (state.heading * Math.PI) / 180;
    state.latitude += (meters * Math.cos(radians)) / metersPerDegreeLatitude;
    state.longitude +=
      (meters * Math.sin(radians)) / (metersPerDegreeLatitude * Math.cos((state.latitude * Math.PI) / 180));
    state.odometerMiles += meters / 1000 / kmPerMile;
    state.soc = clamp(state.soc - meters / 1000 / 5, 5, 100);
    state.chargeAmps = 0;
    state.locked = false;
  } else {
    state.speedKph = 0;
    state.locked = true;
    if (state.mode === 'charging') {
      // Home (AC) or Supercharger (DC) session, chosen when the session starts.
      if (state.chargeAmps === 0) state.chargeAmps = random.chance(0.3) ? 250 : 32;
      state.soc = clamp(state.soc + (state.chargeAmps > fastChargeAmps ? 0.1 : 0.01) * seconds, 0, 100);
    } else {
      state.chargeAmps = 0;
    }
  }
}
