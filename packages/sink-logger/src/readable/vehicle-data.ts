import type { DescEnum } from '@bufbuild/protobuf';
import { FieldSchema, ValueSchema, type Datum, type Payload } from '@fleet-telemetry/codec';
import { enumName } from './events.js';
import { int64, rfc3339Seconds } from './time.js';

type ValueCase = NonNullable<Datum['value']>['value'];

/**
 * The name each value kind has in verbose output, as existing log consumers know it. Kinds missing
 * here are named after their oneof field without the `Value` suffix.
 */
const VERBOSE_TYPE_NAMES: Partial<Record<NonNullable<ValueCase['case']>, string>> = {
  stringValue: 'stringValue',
  locationValue: 'locationValue',
  floatValue: 'floatValue',
  intValue: 'intValue',
  doubleValue: 'doubleValue',
  longValue: 'longValue',
  booleanValue: 'booleanValue',
  invalid: 'invalid',
  shiftStateValue: 'shiftStateValue',
  doorValue: 'doorValue',
  timeValue: 'time',
  tireLocationValue: 'tireLocation',
  fastChargerValue: 'fastChargerType',
  cableTypeValue: 'chargingCableType',
  powershareStateValue: 'powershareStatus',
};

/** Only the Semi (`T` as the VIN's fourth character) has the extra axles. */
const SEMI_MODEL_LETTER = 'T';

const enumOfCase = new Map<string, DescEnum>(
  (ValueSchema.oneofs[0]?.fields ?? []).flatMap((field) =>
    field.fieldKind === 'enum' ? [[field.localName, field.enum] as const] : [],
  ),
);

/**
 * A `V` payload as a flat map: `Vin`, `CreatedAt` (RFC 3339), then each datum under its `Field`
 * name with a plain value, or `{ <type>: value }` when `verbose`. Datums without a value are left
 * out.
 */
export function readableVehicleData(payload: Payload, verbose: boolean, vin: string): Record<string, unknown> {
  const readable: Record<string, unknown> = {
    Vin: payload.vin,
    CreatedAt: rfc3339Seconds(payload.createdAt),
  };
  for (const datum of payload.data) {
    const value = datum.value?.value;
    if (value === undefined || value.case === undefined) continue;
    const plain = plainValue(value, verbose, vin);
    readable[enumName(FieldSchema, datum.key)] = verbose ? { [verboseTypeName(value.case)]: plain } : plain;
  }
  return readable;
}

function plainValue(value: Exclude<ValueCase, { case: undefined }>, verbose: boolean, vin: string): unknown {
  switch (value.case) {
    case 'floatValue':
      return shortestFloat32(value.value);
    case 'longValue':
      return int64(value.value);
    case 'invalid':
      return verbose ? true : '<invalid>';
    case 'locationValue':
      return { latitude: value.value.latitude, longitude: value.value.longitude };
    case 'doorValue': {
      const doors = value.value;
      return {
        DriverFront: doors.DriverFront,
        PassengerFront: doors.PassengerFront,
        DriverRear: doors.DriverRear,
        PassengerRear: doors.PassengerRear,
        TrunkFront: doors.TrunkFront,
        TrunkRear: doors.TrunkRear,
      };
    }
    case 'timeValue': {
      const pad = (part: number) => String(part).padStart(2, '0');
      return `${pad(value.value.hour)}:${pad(value.value.minute)}:${pad(value.value.second)}`;
    }
    case 'tireLocationValue': {
      const tires = value.value;
      if (vin[3] === SEMI_MODEL_LETTER) {
        return {
          FrontLeft: tires.frontLeft,
          FrontRight: tires.frontRight,
          SemiMiddleAxleLeft: tires.rearLeft,
          SemiMiddleAxleRight: tires.rearRight,
          SemiMiddleAxleLeft2: tires.semiMiddleAxleLeft2,
          SemiMiddleAxleRight2: tires.semiMiddleAxleRight2,
          SemiRearAxleLeft: tires.semiRearAxleLeft,
          SemiRearAxleRight: tires.semiRearAxleRight,
          SemiRearAxleLeft2: tires.semiRearAxleLeft2,
          SemiRearAxleRight2: tires.semiRearAxleRight2,
        };
      }
      return { FrontLeft: tires.frontLeft, FrontRight: tires.frontRight, RearLeft: tires.rearLeft, RearRight: tires.rearRight };
    }
    default: {
      const enumSchema = enumOfCase.get(value.case);
      return enumSchema === undefined ? value.value : enumName(enumSchema, value.value as number);
    }
  }
}

function verboseTypeName(valueCase: NonNullable<ValueCase['case']>): string {
  return VERBOSE_TYPE_NAMES[valueCase] ?? valueCase.replace(/Value$/, '');
}

/** A float32 printed with the fewest digits that read back as the same float32 (`0.1`, not `0.10000000149011612`). */
function shortestFloat32(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits < 9; digits += 1) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}
