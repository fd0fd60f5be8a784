import { fromBinary } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import {
  Audience,
  Field,
  PayloadSchema,
  ShiftState,
  VehicleAlertsSchema,
  VehicleErrorsSchema,
  type Payload,
} from '@fleet-telemetry/codec';
import { describe, expect, it } from 'vitest';
import { alertNames, encodeVehicleAlerts } from '../src/payloads/alerts.js';
import { encodeVehicleErrors } from '../src/payloads/errors.js';
import { encodeVehicleData, formatLocation, maxVehicleDatums, minVehicleDatums } from '../src/payloads/vehicle-data.js';
import { advanceVehicleState, initialVehicleState, type VehicleState } from '../src/payloads/vehicle-state.js';
import { createRandom } from '../src/random.js';

const vin = '5YJ3E1EA7KF000001';
const now = Date.UTC(2025, 0, 15, 12, 0, 0);
// What the server rewrites: the reference's pattern for numbers sent as scientific-notation text.
const scientificNotation = /^[+-]?(\d*\.\d+|\d+\.\d*)([eE][+-]?\d+)$/;
const locationText = /^\((\d{1,2}\.\d{6}) ([NS]), (\d{1,3}\.\d{6}) ([EW])\)$/;

function samplePayloads(count: number, seed = 1): Payload[] {
  const random = createRandom(seed);
  const state = initialVehicleState(vin, random);
  return Array.from({ length: count }, (_, i) => {
    advanceVehicleState(state, 1, random);
    return fromBinary(PayloadSchema, encodeVehicleData(state, random, now + i * 1000));
  });
}

const find = (payload: Payload, key: Field) => payload.data.find((datum) => datum.key === key)?.value?.value;

describe('V payloads', () => {
  const payloads = samplePayloads(200);

  it('decode as Payload with 15–25 datums, the VIN and created_at', () => {
    payloads.forEach((payload, i) => {
      expect(payload.data.length).toBeGreaterThanOrEqual(minVehicleDatums);
      expect(payload.data.length).toBeLessThanOrEqual(maxVehicleDatums);
      expect(payload.vin).toBe(vin);
      expect(payload.createdAt && timestampMs(payload.createdAt)).toBe(now + i * 1000);
      expect(new Set(payload.data.map((datum) => datum.key)).size).toBe(payload.data.length);
    });
  });

  it('carry the core signals with plausible values', () => {
    for (const payload of payloads) {
      const speed = find(payload, Field.VehicleSpeed);
      expect(speed?.case).toBe('doubleValue');
      expect(speed?.value as number).toBeGreaterThanOrEqual(0);
      expect(speed?.value as number).toBeLessThan(100);
      const soc = find(payload, Field.Soc);
      expect(soc?.value as number).toBeGreaterThanOrEqual(0);
      expect(soc?.value as number).toBeLessThanOrEqual(100);
      expect(find(payload, Field.Odometer)?.value as number).toBeGreaterThan(0);
      expect(find(payload, Field.Gear)?.case).toBe('shiftStateValue');
      expect([ShiftState.ShiftStateP, ShiftState.ShiftStateD, ShiftState.ShiftStateN]).toContain(
        find(payload, Field.Gear)?.value,
      );
      expect(find(payload, Field.ChargeState)?.case).toBe('stringValue');
      const location = find(payload, Field.Location);
      expect(location?.case).toBe('stringValue');
      const [, lat, ns, lon, ew] = locationText.exec(location?.value as string) ?? [];
      // Somewhere around the Bay Area.
      expect(ns).toBe('N');
      expect(ew).toBe('W');
      expect(Number(lat)).toBeGreaterThan(36);
      expect(Number(lat)).toBeLessThan(39);
      expect(Number(lon)).toBeGreaterThan(120);
      expect(Number(lon)).toBeLessThan(124);
    }
  });

  it('mix value types, including scientific-notation text', () => {
    const cases = new Set(payloads.flatMap((payload) => payload.data.map((datum) => datum.value?.value.case)));
    for (const kind of [
      'stringValue',
      'intValue',
      'longValue',
      'floatValue',
      'doubleValue',
      'booleanValue',
      'shiftStateValue',
      'detailedChargeStateValue',
    ]) {
      expect(cases).toContain(kind);
    }
    const texts = payloads.flatMap((payload) =>
      payload.data.flatMap((datum) => (datum.value?.value.case === 'stringValue' ? [datum.value.value.value] : [])),
    );
    const scientific = texts.filter((text) => scientificNotation.test(text));
    expect(scientific.length).toBeGreaterThan(0);
    expect(scientific.length).toBeLessThan(texts.length / 2);
  });

  it('follow the car: the odometer never goes back', () => {
    const odometers = payloads.map((payload) => find(payload, Field.Odometer)?.value as number);
    for (let i = 1; i < odometers.length; i++) expect(odometers[i]!).toBeGreaterThanOrEqual(odometers[i - 1]!);
  });

  it('are reproducible from a seed', () => {
    expect(samplePayloads(5, 42)).toEqual(samplePayloads(5, 42));
    expect(samplePayloads(5, 42)).not.toEqual(samplePayloads(5, 43));
  });
});

describe('formatLocation', () => {
  it('writes hemispheres instead of signs', () => {
    expect(formatLocation(37.412374, -122.145867)).toBe('(37.412374 N, 122.145867 W)');
    expect(formatLocation(-33.8688, 151.2093)).toBe('(33.868800 S, 151.209300 E)');
  });
});

function stateFor(seed: number): { state: VehicleState; random: ReturnType<typeof createRandom> } {
  const random = createRandom(seed);
  return { state: initialVehicleState(vin, random), random };
}

describe('alerts payloads', () => {
  it('decode as VehicleAlerts with names, audiences and start times', () => {
    const { state, random } = stateFor(3);
    let ended = 0;
    for (let i = 0; i < 100; i++) {
      const alerts = fromBinary(VehicleAlertsSchema, encodeVehicleAlerts(state, random, now));
      expect(alerts.vin).toBe(vin);
      expect(alerts.createdAt && timestampMs(alerts.createdAt)).toBe(now);
      expect(alerts.alerts.length).toBeGreaterThanOrEqual(1);
      expect(alerts.alerts.length).toBeLessThanOrEqual(3);
      for (const alert of alerts.alerts) {
        expect(alertNames).toContain(alert.name);
        expect(alert.audiences.length).toBeGreaterThan(0);
        for (const audience of alert.audiences) expect(audience).not.toBe(Audience.Unknown);
        const started = Number(alert.startedAt?.seconds);
        // Seconds, or (as some firmware sends) milliseconds in the seconds field.
        const startedMs = started >= 315_576_000_000 ? started : started * 1000;
        expect(startedMs).toBeLessThan(now);
        expect(startedMs).toBeGreaterThan(now - 3_700_000);
        if (alert.endedAt) ended++;
      }
    }
    expect(ended).toBeGreaterThan(0);
  });
});

describe('errors payloads', () => {
  it('decode as VehicleErrors with names, tags and bodies', () => {
    const { state, random } = stateFor(4);
    const names = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const errors = fromBinary(VehicleErrorsSchema, encodeVehicleErrors(state, random, now));
      expect(errors.vin).toBe(vin);
      expect(errors.errors.length).toBeGreaterThanOrEqual(1);
      for (const error of errors.errors) {
        names.add(error.name);
        expect(Object.keys(error.tags).length).toBeGreaterThan(0);
        expect(error.body.length).toBeGreaterThan(10);
        for (const value of Object.values(error.tags)) expect(error.body).toContain(value);
        expect(error.createdAt && timestampMs(error.createdAt)).toBeLessThanOrEqual(now);
      }
    }
    expect(names.size).toBeGreaterThan(2);
  });
});
