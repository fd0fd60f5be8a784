import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import {
  BMSStateValue,
  ChargingState,
  Field,
  HvilStatus,
  PayloadSchema,
  SentryModeState,
  ShiftState,
  type DatumSchema,
} from '@fleet-telemetry/codec';

export const CERTIFICATE_VIN = '5YJ3E1EA7KF317000';

type Datum = MessageInitShape<typeof DatumSchema>;
type Value = NonNullable<Datum['value']>['value'];

function datum(key: Field, value: Value): Datum {
  return { key, value: { value } };
}

/**
 * A V record as a vehicle sends it: 20 signals of mixed types, the location as a string, one
 * number in scientific notation, and a VIN that is not the certificate's (so the transform
 * has three things to rewrite).
 */
export function realisticVehicleData(): Uint8Array {
  return toBinary(
    PayloadSchema,
    create(PayloadSchema, {
      vin: '5YJ3E1EA7KF999999',
      createdAt: { seconds: 1_718_100_000n, nanos: 250_000_000 },
      data: [
        datum(Field.Location, { case: 'stringValue', value: '(37.412374 N, 122.145867 W)' }),
        datum(Field.VehicleSpeed, { case: 'stringValue', value: '6.5e1' }),
        datum(Field.Odometer, { case: 'doubleValue', value: 18_234.56 }),
        datum(Field.Soc, { case: 'doubleValue', value: 77.25 }),
        datum(Field.BatteryLevel, { case: 'doubleValue', value: 76.8 }),
        datum(Field.EstBatteryRange, { case: 'doubleValue', value: 241.7 }),
        datum(Field.PackVoltage, { case: 'doubleValue', value: 398.2 }),
        datum(Field.PackCurrent, { case: 'doubleValue', value: -12.4 }),
        datum(Field.InsideTemp, { case: 'doubleValue', value: 21.5 }),
        datum(Field.OutsideTemp, { case: 'floatValue', value: 14.25 }),
        datum(Field.GpsHeading, { case: 'intValue', value: 182 }),
        datum(Field.ChargeLimitSoc, { case: 'intValue', value: 80 }),
        datum(Field.LifetimeEnergyUsed, { case: 'longValue', value: 12_345n }),
        datum(Field.Gear, { case: 'shiftStateValue', value: ShiftState.ShiftStateD }),
        datum(Field.ChargeState, { case: 'chargingValue', value: ChargingState.ChargeStateDisconnected }),
        datum(Field.SentryMode, { case: 'sentryModeStateValue', value: SentryModeState.SentryModeStateArmed }),
        datum(Field.BMSState, { case: 'bmsStateValue', value: BMSStateValue.BMSStateDrive }),
        datum(Field.Hvil, { case: 'hvilStatusValue', value: HvilStatus.HvilStatusOK }),
        datum(Field.Locked, { case: 'booleanValue', value: true }),
        datum(Field.DoorState, { case: 'doorValue', value: { DriverFront: false, TrunkRear: true } }),
      ],
    }),
  );
}
