import {
  DatumSchema,
  Field,
  LocationValueSchema,
  PayloadSchema,
  ValueSchema,
} from '../gen/vehicle_data_pb.js';
import { parseLocationBytes, type ParsedLocation } from './location.js';
import { fieldNumber, lengthDelimitedTag, oneofMembers } from './schema-fields.js';
import { Layout, messageTable } from './schema-table.js';
import { isScientificNotation, rewriteScientificBytes } from './scientific.js';
import { Splice, bytesEqual, copyBytes, utf8Of } from './splice.js';
import { skipFieldValue } from './validate.js';
import {
  WireType,
  decodeError,
  int32VarintSize,
  isValidUtf8,
  readLength,
  readTag,
  readVarint,
  skipVarint,
  tagOf,
  varintSize,
  writeInt32Varint,
  writeVarint,
  wire,
} from './wire.js';

const PAYLOAD = messageTable(PayloadSchema);
const DATUM = messageTable(DatumSchema);
const VALUE = messageTable(ValueSchema);

const PAYLOAD_DATA = fieldNumber(PayloadSchema, 'data');
const PAYLOAD_VIN = fieldNumber(PayloadSchema, 'vin');
const DATUM_KEY = fieldNumber(DatumSchema, 'key');
const DATUM_VALUE = fieldNumber(DatumSchema, 'value');
const STRING_VALUE = fieldNumber(ValueSchema, 'stringValue');
const VALUE_MEMBERS = oneofMembers(ValueSchema);

// 0: not one of them.
const FAST_VARINT = 1;
const FAST_FIXED64 = 2;
const FAST_FIXED32 = 3;

/**
 * For each one-byte tag: whether it is a singular oneof member of Value with that tag's wire type
 * and a fixed size or a varint, so the scan can skip it without the general field walk.
 */
const fastLayouts: Uint8Array = (() => {
  const table = new Uint8Array(0x80);
  for (let tag = 0; tag < 0x80; tag++) {
    const fieldNo = tag >>> 3;
    if (fieldNo === 0 || fieldNo >= VALUE.layouts.length || VALUE_MEMBERS[fieldNo] !== 1) continue;
    const layout = VALUE.layouts[fieldNo];
    const wireType = tag & 7;
    if (layout === Layout.Varint && wireType === WireType.Varint) table[tag] = FAST_VARINT;
    else if (layout === Layout.Fixed64 && wireType === WireType.Fixed64) table[tag] = FAST_FIXED64;
    else if (layout === Layout.Fixed32 && wireType === WireType.Fixed32) table[tag] = FAST_FIXED32;
  }
  return table;
})();

const DATA_TAG = lengthDelimitedTag(PayloadSchema, 'data');
const VIN_TAG = lengthDelimitedTag(PayloadSchema, 'vin');
const KEY_TAG = tagOf(DATUM_KEY, WireType.Varint);
const VALUE_TAG = lengthDelimitedTag(DatumSchema, 'value');
const STRING_VALUE_TAG = lengthDelimitedTag(ValueSchema, 'stringValue');
const LOCATION_VALUE_TAG = lengthDelimitedTag(ValueSchema, 'locationValue');
const LATITUDE_TAG = tagOf(fieldNumber(LocationValueSchema, 'latitude'), WireType.Fixed64);
const LONGITUDE_TAG = tagOf(fieldNumber(LocationValueSchema, 'longitude'), WireType.Fixed64);

const EMPTY = new Uint8Array(0);
/** The changes to the payload being transformed (reused: transforms are synchronous). */
const splice = new Splice();

/**
 * The `V` transform on the wire format: validates the Payload as strictly as a decoder, and
 * rebuilds only what changes. Returns `payload` itself when its VIN is already `vin` and no
 * datum needs rewriting; otherwise the original bytes with the VIN fields replaced by one
 * certificate VIN field at the end and each rewritten datum re-encoded in place.
 */
export function transformVehicleData(payload: Uint8Array, vin: string, stats?: { signals: number }): Uint8Array {
  const end = payload.length;
  let signals = 0;
  const vinBytes = utf8Of(vin);
  splice.reset();
  let vinStart = -1;
  let vinEnd = -1;
  let pos = 0;
  while (pos < end) {
    const fieldStart = pos;
    // Nearly every field is a datum behind its one-byte tag: straight to it.
    if (payload[pos] === DATA_TAG) {
      signals += 1;
      const start = readLength(payload, pos + 1, end, PAYLOAD.typeName);
      pos = start + wire.value;
      transformDatum(payload, start, pos, fieldStart);
      continue;
    }
    pos = readTag(payload, pos, end, PAYLOAD.typeName);
    const fieldNo = wire.fieldNo;
    const wireType = wire.wireType;
    if (fieldNo === PAYLOAD_DATA) signals += 1;
    if (fieldNo === PAYLOAD_DATA && wireType === WireType.LengthDelimited) {
      const start = readLength(payload, pos, end, PAYLOAD.typeName);
      pos = start + wire.value;
      transformDatum(payload, start, pos, fieldStart);
    } else if (fieldNo === PAYLOAD_VIN && wireType === WireType.LengthDelimited) {
      vinStart = readLength(payload, pos, end, PAYLOAD.typeName);
      vinEnd = pos = vinStart + wire.value;
      if (!isValidUtf8(payload, vinStart, vinEnd)) decodeError('invalid-utf8', vinStart, PAYLOAD.typeName);
      splice.remove(fieldStart, pos);
    } else {
      const layout = fieldNo < PAYLOAD.layouts.length ? PAYLOAD.layouts[fieldNo]! : Layout.Unknown;
      pos = skipFieldValue(PAYLOAD, layout, fieldNo, wireType, payload, pos, end, 1, fieldStart);
    }
  }
  if (stats !== undefined) stats.signals = signals;
  // The last occurrence of a singular field wins.
  const vinChanged = vinStart < 0 ? vinBytes.length > 0 : !bytesEqual(payload, vinStart, vinEnd, vinBytes);
  if (!vinChanged && !splice.hasReplacements) return payload;
  // Unchanged, the VIN fields stay where they are; changed, they all go and one is appended.
  return splice.apply(payload, vinChanged, VIN_TAG, vinChanged ? vinBytes : EMPTY);
}

/**
 * Validates the Datum in `buf[start, end)` and, when a transform applies, records in `splice`
 * the re-encoded Payload `data` field that began at `fieldStart`.
 */
function transformDatum(buf: Uint8Array, start: number, end: number, fieldStart: number): void {
  scanDatum(buf, start, end);
  const rewritten = datumRewrite(buf);
  if (rewritten !== undefined) encodeDatum(buf, fieldStart, end, datum.key, rewritten);
}

/** What the scan of one Datum found; module-level so the hot loop allocates nothing. */
export const datum = {
  key: 0,
  /** Field number of the Value oneof member that is set after merging (0: none). */
  chosen: 0,
  stringStart: 0,
  stringEnd: 0,
  /** How many `value` fields the Datum has, and how many oneof member records they hold. */
  valueCount: 0,
  memberCount: 0,
  /** Where the value of the last member record starts, after its tag (what a JSON writer reads). */
  memberAt: 0,
  /** [start, end) pairs of the Datum's unknown fields, kept when the Datum is re-encoded. */
  unknown: [] as number[],
  /** Number of entries of `unknown` that belong to the current Datum (the array is reused). */
  unknownCount: 0,
};

/** Validates the Datum in `buf[start, end)` and fills `datum` with what the transform needs. */
export function scanDatum(buf: Uint8Array, start: number, end: number): void {
  datum.key = 0;
  datum.chosen = 0;
  datum.unknownCount = 0;
  datum.valueCount = 0;
  datum.memberCount = 0;
  let pos = start;
  while (pos < end) {
    const tagStart = pos;
    // The usual Datum: the key, then the value, each behind a one-byte tag.
    const first = buf[pos];
    if (first === KEY_TAG) {
      pos = readVarint(buf, pos + 1, end, DATUM.typeName);
      datum.key = wire.int32;
      continue;
    }
    if (first === VALUE_TAG) {
      const valueStart = readLength(buf, pos + 1, end, DATUM.typeName);
      pos = valueStart + wire.value;
      datum.valueCount++;
      scanValue(buf, valueStart, pos);
      continue;
    }
    pos = readTag(buf, pos, end, DATUM.typeName);
    const fieldNo = wire.fieldNo;
    const wireType = wire.wireType;
    if (fieldNo === DATUM_KEY && wireType === WireType.Varint) {
      pos = readVarint(buf, pos, end, DATUM.typeName);
      datum.key = wire.int32;
    } else if (fieldNo === DATUM_VALUE && wireType === WireType.LengthDelimited) {
      const valueStart = readLength(buf, pos, end, DATUM.typeName);
      pos = valueStart + wire.value;
      datum.valueCount++;
      // Repeated occurrences of a message field merge: scanning them in order leaves the
      // oneof member that the merged Value holds.
      scanValue(buf, valueStart, pos);
    } else {
      const layout = fieldNo < DATUM.layouts.length ? DATUM.layouts[fieldNo]! : Layout.Unknown;
      pos = skipFieldValue(DATUM, layout, fieldNo, wireType, buf, pos, end, 2, tagStart);
      datum.unknown[datum.unknownCount++] = tagStart;
      datum.unknown[datum.unknownCount++] = pos;
    }
  }
}

/**
 * The Value that replaces the one of the Datum `scanDatum` just read from `buf`, or undefined
 * when the Datum stays as it is.
 */
export function datumRewrite(buf: Uint8Array): NewValue | undefined {
  if (datum.chosen !== STRING_VALUE || datum.stringEnd === datum.stringStart) return undefined;
  const { key, stringStart, stringEnd } = datum;
  // As in the reference: locations first, then numbers in any string still a string.
  if (key === Field.Location) {
    const location = parseLocationBytes(buf, stringStart, stringEnd);
    if (location !== undefined) return location;
  }
  if (isScientificNotation(buf, stringStart, stringEnd)) return rewriteScientificBytes(buf, stringStart, stringEnd);
  return undefined;
}

/** Validates one Value occurrence and records which oneof member it sets last, if any. */
function scanValue(buf: Uint8Array, start: number, end: number): void {
  let pos = start;
  while (pos < end) {
    const tagStart = pos;
    const first = buf[pos]!;
    // One-byte tags of fixed-size and varint members (doubles, floats, ints, bools, enums): skipped here.
    if (first < 0x80) {
      const layout = fastLayouts[first]!;
      if (layout === FAST_FIXED64 || layout === FAST_FIXED32) {
        const size = layout === FAST_FIXED64 ? 8 : 4;
        if (end - pos - 1 < size) decodeError('truncated', pos + 1, VALUE.typeName);
        datum.memberAt = pos + 1;
        pos += 1 + size;
        datum.chosen = first >>> 3;
        datum.memberCount++;
        continue;
      }
      if (layout === FAST_VARINT) {
        datum.memberAt = pos + 1;
        pos = skipVarint(buf, pos + 1, end, VALUE.typeName);
        datum.chosen = first >>> 3;
        datum.memberCount++;
        continue;
      }
    }
    pos = readTag(buf, pos, end, VALUE.typeName);
    const fieldNo = wire.fieldNo;
    const wireType = wire.wireType;
    const valueAt = pos;
    if (fieldNo === STRING_VALUE && wireType === WireType.LengthDelimited) {
      const stringStart = readLength(buf, pos, end, VALUE.typeName);
      pos = stringStart + wire.value;
      if (!isValidUtf8(buf, stringStart, pos)) decodeError('invalid-utf8', stringStart, VALUE.typeName);
      datum.stringStart = stringStart;
      datum.stringEnd = pos;
    } else {
      const layout = fieldNo < VALUE.layouts.length ? VALUE.layouts[fieldNo]! : Layout.Unknown;
      pos = skipFieldValue(VALUE, layout, fieldNo, wireType, buf, pos, end, 3, tagStart);
    }
    if (fieldNo < VALUE_MEMBERS.length && VALUE_MEMBERS[fieldNo] === 1) {
      datum.chosen = fieldNo;
      datum.memberCount++;
      datum.memberAt = valueAt;
    }
  }
}

/** The Value message that replaces a datum's value: a location or a (formatted number) string. */
export type NewValue = ParsedLocation | string;

const float64Scratch = new Float64Array(1);
const float64Bytes = new Uint8Array(float64Scratch.buffer);
const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Go leaves out a float field only when all its bits are zero (-0 is written). */
function isPositiveZero(value: number): boolean {
  return value === 0 && !Object.is(value, -0);
}

function valueSize(value: NewValue): number {
  if (typeof value === 'string') return 1 + varintSize(value.length) + value.length;
  const location = (isPositiveZero(value.latitude) ? 0 : 9) + (isPositiveZero(value.longitude) ? 0 : 9);
  return 2 + location;
}

/** Writes the Value message: `string_value` (ASCII text) or `location_value`. */
function writeValue(out: Uint8Array, pos: number, value: NewValue): number {
  if (typeof value === 'string') {
    out[pos++] = STRING_VALUE_TAG;
    pos = writeVarint(out, pos, value.length);
    for (let index = 0; index < value.length; index++) out[pos++] = value.charCodeAt(index);
    return pos;
  }
  const size = valueSize(value) - 2;
  out[pos++] = LOCATION_VALUE_TAG;
  out[pos++] = size;
  if (!isPositiveZero(value.latitude)) {
    out[pos++] = LATITUDE_TAG;
    pos = writeFloat64(out, pos, value.latitude);
  }
  if (!isPositiveZero(value.longitude)) {
    out[pos++] = LONGITUDE_TAG;
    pos = writeFloat64(out, pos, value.longitude);
  }
  return pos;
}

function writeFloat64(out: Uint8Array, pos: number, value: number): number {
  float64Scratch[0] = value;
  // Protobuf doubles are little-endian.
  for (let index = 0; index < 8; index++) out[pos++] = float64Bytes[littleEndian ? index : 7 - index]!;
  return pos;
}

/**
 * Records in `splice` the replacement of the Payload `data` field `buf[fieldStart, fieldEnd)`
 * with Datum{key, value} followed by the original Datum's unknown fields.
 */
function encodeDatum(buf: Uint8Array, fieldStart: number, fieldEnd: number, key: number, value: NewValue): void {
  const { unknown, unknownCount } = datum;
  const valueBytes = valueSize(value);
  let size = (key === 0 ? 0 : 1 + int32VarintSize(key)) + 1 + varintSize(valueBytes) + valueBytes;
  for (let index = 0; index < unknownCount; index += 2) size += unknown[index + 1]! - unknown[index]!;
  let pos = splice.replace(fieldStart, fieldEnd, 1 + varintSize(size) + size);
  const out = splice.scratch;
  out[pos++] = DATA_TAG;
  pos = writeVarint(out, pos, size);
  if (key !== 0) {
    out[pos++] = KEY_TAG;
    pos = writeInt32Varint(out, pos, key);
  }
  out[pos++] = VALUE_TAG;
  pos = writeVarint(out, pos, valueBytes);
  pos = writeValue(out, pos, value);
  for (let index = 0; index < unknownCount; index += 2) {
    pos = copyBytes(buf, unknown[index]!, unknown[index + 1]!, out, pos);
  }
}
