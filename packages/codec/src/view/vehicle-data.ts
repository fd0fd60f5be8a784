import type { Payload, Value } from '../gen/vehicle_data_pb.js';
import { FieldSchema, ValueSchema } from '../gen/vehicle_data_pb.js';
import { formatFloat } from '../json/numbers.js';
import { readableInt64, unixSeconds, utcSeconds } from './values.js';
import type { ReadableObject, ReadableValue } from './types.js';

type ValueCase = NonNullable<Value['value']['case']>;

/**
 * The reference logger's verbose type names; they mostly drop the `Value` suffix, with a few
 * exceptions kept as it spells them. Cases it does not know (newer ones) drop the suffix.
 */
const TYPE_NAMES: Partial<Record<ValueCase, string>> = {
  stringValue: 'stringValue',
  locationValue: 'locationValue',
  floatValue: 'floatValue',
  intValue: 'intValue',
  doubleValue: 'doubleValue',
  longValue: 'longValue',
  booleanValue: 'booleanValue',
  shiftStateValue: 'shiftStateValue',
  doorValue: 'doorValue',
  timeValue: 'time',
  fastChargerValue: 'fastChargerType',
  cableTypeValue: 'chargingCableType',
  powershareStateValue: 'powershareStatus',
};

const SEMI_MODEL = 'T';

/**
 * A V record as `{ Vin, CreatedAt, <Field name>: value }`, with `typed` as `{ <type>: value }`.
 * Data without a value is left out, as the reference does; the last datum of a field wins.
 */
export function readablePayload(payload: Payload, typed: boolean): ReadableObject {
  const readable: ReadableObject = {
    Vin: payload.vin,
    CreatedAt: utcSeconds(unixSeconds(payload.createdAt) ?? 0),
  };
  for (const datum of payload.data) {
    const value = datum.value?.value;
    if (value === undefined || value.case === undefined) continue;
    const name = FieldSchema.value[datum.key]?.name ?? String(datum.key);
    const plain = plainValue(value, typed, payload.vin);
    readable[name] = typed ? { [typeName(value.case)]: plain } : plain;
  }
  return readable;
}

function typeName(valueCase: ValueCase): string {
  return TYPE_NAMES[valueCase] ?? valueCase.replace(/Value$/, '');
}

function plainValue(value: Exclude<Value['value'], { case: undefined }>, typed: boolean, vin: string): ReadableValue {
  switch (value.case) {
    case 'stringValue':
    case 'intValue':
    case 'doubleValue':
    case 'booleanValue':
      return value.value;
    case 'floatValue':
      return readableFloat(value.value);
    case 'longValue':
      return readableInt64(value.value);
    case 'invalid':
      return typed ? true : '<invalid>';
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
      const time = value.value;
      return `${two(time.hour)}:${two(time.minute)}:${two(time.second)}`;
    }
    case 'tireLocationValue': {
      const tires = value.value;
      // A Semi reports its middle axle in the rear_* fields (the model letter is the VIN's 4th).
      if (vin.charAt(3) === SEMI_MODEL) {
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
    default:
      return enumName(value.case, value.value);
  }
}

/** Every remaining Value member is an enum: its name, or the number when the schema has none. */
function enumName(valueCase: ValueCase, number: number): string {
  const field = ValueSchema.field[valueCase];
  const name = field?.fieldKind === 'enum' ? field.enum.value[number]?.name : undefined;
  return name ?? String(number);
}

/** The float32's shortest decimal (64.7, not 64.69999694824219). */
function readableFloat(value: number): number | string {
  if (!Number.isFinite(value)) return String(value);
  // Decoded from JSON the value is a double; the field is a float32 all the same.
  return Number(formatFloat(Math.fround(value)));
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}
