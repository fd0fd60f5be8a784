import { DatumSchema, PayloadSchema, ValueSchema } from '../gen/vehicle_data_pb.js';
import { discardOutput, outputBytes, putByte, putBytes, putInteger, putJsonString, resetOutput } from '../json/output.js';
import { fieldPlanOf, KIND_MESSAGE, messagePlan, type FieldPlan } from '../json/plan.js';
import { writeStreamedMessage } from '../json/stream-writer.js';
import { putDouble, writeScalar } from '../json/values.js';
import { clearInput, setInput, skipValue, valueStart } from '../json/wire.js';
import { fieldNumber } from './schema-fields.js';
import { Layout, messageTable } from './schema-table.js';
import { utf8Of } from './splice.js';
import { skipFieldValue } from './validate.js';
import type { TransformStats } from './transform.js';
import { datum, datumRewrite, scanDatum, type NewValue } from './vehicle-data.js';
import { WireType, decodeError, isValidUtf8, readLength, readTag, readVarint, wire } from './wire.js';

/**
 * The `V` transform and the JSON writer in one pass over the vehicle's bytes: the Payload is
 * validated exactly as `transformVehicleData` validates it (the same scan, in the same order)
 * and each Datum is written as JSON as soon as it is read, its rewrite applied, instead of
 * re-encoding the Payload as protobuf and reading that back.
 *
 * It covers the encoding vehicles send: each Datum with at most one record of a Value member,
 * `created_at` at most once. Anything else (a Value merged from several records, a nested
 * message the one-pass JSON writer gives up on) and every error return undefined, and the
 * caller takes the transform-then-write path, which defines the result and the error.
 */

const PAYLOAD = messageTable(PayloadSchema);
const PAYLOAD_DATA = fieldNumber(PayloadSchema, 'data');
const PAYLOAD_CREATED_AT = fieldNumber(PayloadSchema, 'createdAt');
const PAYLOAD_VIN = fieldNumber(PayloadSchema, 'vin');
const PAYLOAD_IS_RESEND = fieldNumber(PayloadSchema, 'isResend');

const PAYLOAD_PLAN = messagePlan(PayloadSchema);
const DATA_FIELD = fieldPlanOf(PAYLOAD_PLAN, PAYLOAD_DATA)!;
const CREATED_AT_FIELD = fieldPlanOf(PAYLOAD_PLAN, PAYLOAD_CREATED_AT)!;
const VIN_FIELD = fieldPlanOf(PAYLOAD_PLAN, PAYLOAD_VIN)!;
const IS_RESEND_FIELD = fieldPlanOf(PAYLOAD_PLAN, PAYLOAD_IS_RESEND)!;
const DATUM_PLAN = messagePlan(DatumSchema);
const KEY_FIELD = fieldPlanOf(DATUM_PLAN, fieldNumber(DatumSchema, 'key'))!;
const VALUE_FIELD = fieldPlanOf(DATUM_PLAN, fieldNumber(DatumSchema, 'value'))!;
const VALUE_PLAN = messagePlan(ValueSchema);
const STRING_VALUE_FIELD = fieldPlanOf(VALUE_PLAN, fieldNumber(ValueSchema, 'stringValue'))!;
const LOCATION_VALUE_FIELD = fieldPlanOf(VALUE_PLAN, fieldNumber(ValueSchema, 'locationValue'))!;

const utf8 = new TextEncoder();
const DATA_OPEN = concat(DATA_FIELD.keyAfterBraceBytes, utf8.encode('['));
const LIST_CLOSE_AND_CREATED_AT = concat(utf8.encode(']'), CREATED_AT_FIELD.keyAfterCommaBytes);
const LIST_CLOSE_AND_NO_CREATED_AT = concat(utf8.encode(']'), CREATED_AT_FIELD.unsetAfterCommaBytes);
const IS_RESEND_TRUE = concat(IS_RESEND_FIELD.keyAfterCommaBytes, utf8.encode('true}'));
const IS_RESEND_FALSE = concat(IS_RESEND_FIELD.keyAfterCommaBytes, utf8.encode('false}'));
const NO_VALUE = utf8.encode('null}');
const EMPTY_VALUE = utf8.encode('{}}');
const LATITUDE_KEY = utf8.encode('{"latitude":');
const LONGITUDE_KEY = utf8.encode(',"longitude":');
const VALUE_CLOSE = utf8.encode('}}');
const LOCATION_CLOSE = utf8.encode('}}}');

/** Nesting depth of a Value member's message: Payload 0, Datum 1, Value 2. */
const MEMBER_DEPTH = 3;

/**
 * `protobufToJsonBytes(PayloadSchema, transformVehicleData(payload, vin))`, or undefined when
 * that path must be taken instead (see above).
 */
export function vehicleDataJsonBytes(payload: Uint8Array, vin: string, stats?: TransformStats): Uint8Array | undefined {
  setInput(payload);
  resetOutput();
  try {
    const datums = writeVehicleData(payload, vin);
    if (datums >= 0) {
      if (stats !== undefined) stats.signals = datums;
      return outputBytes();
    }
  } catch {
    // The transform-then-write path reports it, with the error it defines.
  } finally {
    clearInput();
  }
  discardOutput();
  return undefined;
}

/** Writes the JSON; returns how many datums it held, or -1 when transform-then-write must answer. */
function writeVehicleData(payload: Uint8Array, vin: string): number {
  const end = payload.length;
  let createdAtCount = 0;
  let createdAtStart = 0;
  let createdAtEnd = 0;
  let isResend = false;
  let datums = 0;
  putBytes(DATA_OPEN);
  let pos = 0;
  // The loop of transformVehicleData, validating the same way in the same order.
  while (pos < end) {
    const fieldStart = pos;
    pos = readTag(payload, pos, end, PAYLOAD.typeName);
    const fieldNo = wire.fieldNo;
    const wireType = wire.wireType;
    if (fieldNo === PAYLOAD_DATA && wireType === WireType.LengthDelimited) {
      const start = readLength(payload, pos, end, PAYLOAD.typeName);
      pos = start + wire.value;
      scanDatum(payload, start, pos);
      if (datums++ > 0) putByte(0x2c);
      if (!writeDatum(payload, pos)) return -1;
    } else if (fieldNo === PAYLOAD_VIN && wireType === WireType.LengthDelimited) {
      // Validated and dropped: the certificate's VIN replaces it.
      const start = readLength(payload, pos, end, PAYLOAD.typeName);
      pos = start + wire.value;
      if (!isValidUtf8(payload, start, pos)) decodeError('invalid-utf8', start, PAYLOAD.typeName);
    } else if (fieldNo === PAYLOAD_IS_RESEND && wireType === WireType.Varint) {
      pos = readVarint(payload, pos, end, PAYLOAD.typeName);
      // The last occurrence of a singular field wins.
      isResend = wire.value !== 0;
    } else {
      const layout = fieldNo < PAYLOAD.layouts.length ? PAYLOAD.layouts[fieldNo]! : Layout.Unknown;
      const valueEnd = skipFieldValue(PAYLOAD, layout, fieldNo, wireType, payload, pos, end, 1, fieldStart);
      if (fieldNo === PAYLOAD_CREATED_AT) {
        // Only a LEN record gets here (skipFieldValue rejects the others); several would merge.
        if (++createdAtCount > 1) return -1;
        createdAtStart = readLength(payload, pos, end, PAYLOAD.typeName);
        createdAtEnd = valueEnd;
      }
      pos = valueEnd;
    }
  }
  if (createdAtCount === 0) putBytes(LIST_CLOSE_AND_NO_CREATED_AT);
  else {
    putBytes(LIST_CLOSE_AND_CREATED_AT);
    if (!writeStreamedMessage(CREATED_AT_FIELD.message(), createdAtStart, createdAtEnd, 1)) return -1;
  }
  putBytes(VIN_FIELD.keyAfterCommaBytes);
  const vinBytes = utf8Of(vin);
  putJsonString(vinBytes, 0, vinBytes.length);
  putBytes(isResend ? IS_RESEND_TRUE : IS_RESEND_FALSE);
  return datums;
}

/** Writes the Datum `scanDatum` just read (ending at `end`), its transform applied; false when it cannot. */
function writeDatum(buf: Uint8Array, end: number): boolean {
  const rewritten = datumRewrite(buf);
  if (rewritten !== undefined) {
    writeRewrittenDatum(datum.key, rewritten);
    return true;
  }
  if (datum.valueCount === 0 || datum.memberCount === 0) {
    putDatumHead(datum.key);
    putBytes(datum.valueCount === 0 ? NO_VALUE : EMPTY_VALUE);
    return true;
  }
  // Several member records merge or override each other: the merged writer's job. One record
  // in several Value occurrences is the whole merged Value.
  if (datum.memberCount > 1) return false;
  const member = fieldPlanOf(VALUE_PLAN, datum.chosen)!;
  putDatumMemberHead(datum.key, member);
  // The scan checked that the value lies within its Value, so the Datum's end bounds it too.
  const valueEnd = skipValue(member.wireType, datum.memberAt, end, datum.chosen);
  if (member.kind >= KIND_MESSAGE) {
    if (!writeStreamedMessage(member.message(), valueStart, valueEnd, MEMBER_DEPTH)) return false;
  } else {
    writeScalar(member, valueStart, valueEnd);
  }
  putBytes(VALUE_CLOSE);
  return true;
}

/** The Datum the transform re-encodes: its key and the new Value, unknown fields aside. */
function writeRewrittenDatum(key: number, value: NewValue): void {
  if (typeof value === 'string') {
    putDatumMemberHead(key, STRING_VALUE_FIELD);
    // Digits, a sign and a point: nothing to escape.
    putByte(0x22);
    for (let index = 0; index < value.length; index++) putByte(value.charCodeAt(index));
    putByte(0x22);
    putBytes(VALUE_CLOSE);
    return;
  }
  putDatumMemberHead(key, LOCATION_VALUE_FIELD);
  putBytes(LATITUDE_KEY);
  putDouble(value.latitude);
  putBytes(LONGITUDE_KEY);
  putDouble(value.longitude);
  putBytes(LOCATION_CLOSE);
}

/** `{"key":<name>,"value":`. */
function putDatumHead(key: number): void {
  putBytes(KEY_FIELD.keyAfterBraceBytes);
  putEnumValue(key);
  putBytes(VALUE_FIELD.keyAfterCommaBytes);
}

const HEAD_KEYS = 4096;
const HEAD_MEMBERS = 64;
/**
 * Datum heads by key, then by Value member number, made on first use. Two levels, filled
 * arrays: one sparse array indexed by key × member would fall back to a slow dictionary.
 */
const memberHeads: ((Uint8Array | undefined)[] | undefined)[] = new Array<undefined>(HEAD_KEYS).fill(undefined);

/** `{"key":<name>,"value":{"<member>":`, in one append for the keys and members seen before. */
function putDatumMemberHead(key: number, member: FieldPlan): void {
  const byMember = key >= 0 && key < HEAD_KEYS ? memberHeads[key] : undefined;
  const head = byMember?.[member.number];
  if (head !== undefined) {
    putBytes(head);
    return;
  }
  const name = enumName(key);
  if (name === undefined || !(key >= 0 && key < HEAD_KEYS) || member.number >= HEAD_MEMBERS) {
    putDatumHead(key);
    putBytes(member.keyAfterBraceBytes);
    return;
  }
  const made = concat(KEY_FIELD.keyAfterBraceBytes, name, VALUE_FIELD.keyAfterCommaBytes, member.keyAfterBraceBytes);
  (memberHeads[key] ??= new Array<undefined>(HEAD_MEMBERS).fill(undefined))[member.number] = made;
  putBytes(made);
}

function enumName(value: number): Uint8Array | undefined {
  const names = KEY_FIELD.enumNames!;
  return value >= 0 && value < names.dense.length ? names.dense[value] : names.sparse.get(value);
}

/** An enum value as protojson writes it: its quoted name, or its number when it has none. */
function putEnumValue(value: number): void {
  const name = enumName(value);
  if (name === undefined) putInteger(value);
  else putBytes(name);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}
