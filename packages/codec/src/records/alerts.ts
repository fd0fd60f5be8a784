import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { TimestampSchema, type Timestamp } from '@bufbuild/protobuf/wkt';
import { VehicleAlertSchema, VehicleAlertsSchema } from '../gen/vehicle_alert_pb.js';
import { fieldNumber, lengthDelimitedTag } from './schema-fields.js';
import { messageTable } from './schema-table.js';
import { Splice, bytesEqual, copyBytes, utf8Of } from './splice.js';
import { MAX_DEPTH, skipUnknownValue, validateMessage } from './validate.js';
import { WireType, readLength, readTag, readVarint, tagOf, varintSize, writeVarint, wire } from './wire.js';

/**
 * Timestamps from this many seconds on are really milliseconds: it is the largest duration
 * protobuf's JSON mapping accepts (10,000 years), far past any real date in seconds.
 */
export const MILLISECOND_TIMESTAMP_THRESHOLD = 315_576_000_000n;
const THRESHOLD = Number(MILLISECOND_TIMESTAMP_THRESHOLD);

const ALERTS = messageTable(VehicleAlertsSchema);
const ALERTS_ALERTS = fieldNumber(VehicleAlertsSchema, 'alerts');
const ALERTS_VIN = fieldNumber(VehicleAlertsSchema, 'vin');
const ALERTS_TAG = lengthDelimitedTag(VehicleAlertsSchema, 'alerts');
const VIN_TAG = lengthDelimitedTag(VehicleAlertsSchema, 'vin');
const ALERT_STARTED_AT = fieldNumber(VehicleAlertSchema, 'startedAt');
const ALERT_ENDED_AT = fieldNumber(VehicleAlertSchema, 'endedAt');
const ALERT_STARTED_AT_TAG = lengthDelimitedTag(VehicleAlertSchema, 'startedAt');
const ALERT_ENDED_AT_TAG = lengthDelimitedTag(VehicleAlertSchema, 'endedAt');
const TIMESTAMP_SECONDS = fieldNumber(TimestampSchema, 'seconds');
const TIMESTAMP_NANOS = fieldNumber(TimestampSchema, 'nanos');
const TIMESTAMP_SECONDS_TAG = tagOf(TIMESTAMP_SECONDS, WireType.Varint);
const TIMESTAMP_NANOS_TAG = tagOf(TIMESTAMP_NANOS, WireType.Varint);

const EMPTY = new Uint8Array(0);
/** The changes to the payload being transformed (reused: transforms are synchronous). */
const splice = new Splice();

/**
 * The `alerts` transform: VIN from the certificate, and every `started_at` / `ended_at` whose
 * seconds hold milliseconds converted (the reference rebuilds such a timestamp from the
 * milliseconds alone, so its nanos are replaced). Returns `payload` itself when nothing changes.
 *
 * On the wire, as the `V` transform: the payload is validated, the VIN fields are replaced by one
 * at the end when the VIN changes, and only an alert that may hold milliseconds is decoded and
 * re-encoded in place; everything else keeps its bytes.
 */
export function transformAlerts(payload: Uint8Array, vin: string, stats?: { signals: number }): Uint8Array {
  validateMessage(ALERTS, payload, 0, payload.length, 1);
  // Valid from here on: the scan below only finds fields, it checks nothing again.
  const end = payload.length;
  splice.reset();
  let alerts = 0;
  let vinStart = -1;
  let vinEnd = -1;
  let pos = 0;
  while (pos < end) {
    const fieldStart = pos;
    pos = readTag(payload, pos, end, ALERTS.typeName);
    const fieldNo = wire.fieldNo;
    const wireType = wire.wireType;
    if (fieldNo === ALERTS_ALERTS && wireType === WireType.LengthDelimited) {
      alerts += 1;
      const start = readLength(payload, pos, end, ALERTS.typeName);
      pos = start + wire.value;
      if (mayHoldMilliseconds(payload, start, pos)) convertAlert(payload, fieldStart, start, pos);
    } else if (fieldNo === ALERTS_VIN && wireType === WireType.LengthDelimited) {
      vinStart = readLength(payload, pos, end, ALERTS.typeName);
      vinEnd = pos = vinStart + wire.value;
      splice.remove(fieldStart, pos);
    } else {
      pos = skipUnknownValue(fieldNo, wireType, payload, pos, end, MAX_DEPTH, ALERTS.typeName);
    }
  }
  if (stats !== undefined) stats.signals = alerts;
  const vinBytes = utf8Of(vin);
  // The last occurrence of a singular field wins.
  const vinChanged = vinStart < 0 ? vinBytes.length > 0 : !bytesEqual(payload, vinStart, vinEnd, vinBytes);
  if (!vinChanged && !splice.hasReplacements) return payload;
  return splice.apply(payload, vinChanged, VIN_TAG, vinChanged ? vinBytes : EMPTY);
}

/**
 * Whether any occurrence of the alert's timestamps has seconds at or above the threshold (or
 * negative, which reads as a huge unsigned varint): only such an alert can need converting, and
 * the exact decision, on the merged timestamps, is `convertAlert`'s.
 */
function mayHoldMilliseconds(buf: Uint8Array, start: number, end: number): boolean {
  const name = VehicleAlertSchema.typeName;
  let pos = start;
  while (pos < end) {
    pos = readTag(buf, pos, end, name);
    const fieldNo = wire.fieldNo;
    const wireType = wire.wireType;
    if ((fieldNo === ALERT_STARTED_AT || fieldNo === ALERT_ENDED_AT) && wireType === WireType.LengthDelimited) {
      const timestampStart = readLength(buf, pos, end, name);
      pos = timestampStart + wire.value;
      if (timestampMayHoldMilliseconds(buf, timestampStart, pos)) return true;
    } else {
      pos = skipUnknownValue(fieldNo, wireType, buf, pos, end, MAX_DEPTH, name);
    }
  }
  return false;
}

function timestampMayHoldMilliseconds(buf: Uint8Array, start: number, end: number): boolean {
  const name = TimestampSchema.typeName;
  let pos = start;
  while (pos < end) {
    pos = readTag(buf, pos, end, name);
    if (wire.fieldNo === TIMESTAMP_SECONDS && wire.wireType === WireType.Varint) {
      pos = readVarint(buf, pos, end, name);
      if (wire.value >= THRESHOLD) return true;
    } else {
      pos = skipUnknownValue(wire.fieldNo, wire.wireType, buf, pos, end, MAX_DEPTH, name);
    }
  }
  return false;
}

/** Converts the alert in `buf[start, end)` if a timestamp holds milliseconds, on the wire where it can. */
function convertAlert(buf: Uint8Array, fieldStart: number, start: number, end: number): void {
  if (!convertAlertOnWire(buf, fieldStart, start, end)) decodeAndConvertAlert(buf, fieldStart, start, end);
}

/** Where the alert's timestamps are; reused: transforms are synchronous. */
const found = {
  /** Start of the started_at / ended_at field (its tag), or -1. */
  startedAtField: -1,
  startedAtEnd: -1,
  endedAtField: -1,
  endedAtEnd: -1,
  /** Seconds and nanos of the last timestamp read by `readPlainTimestamp`. */
  seconds: 0,
  nanos: 0,
};

/**
 * The usual alert: each timestamp present at most once, holding at most one `seconds` and one
 * `nanos` and nothing else, its seconds exact as a number. Then only the timestamps that hold
 * milliseconds are rewritten and the rest of the alert keeps its bytes. Returns false, having
 * changed nothing, for any other alert: the decoding path handles merges and the unusual.
 */
function convertAlertOnWire(buf: Uint8Array, fieldStart: number, start: number, end: number): boolean {
  const name = VehicleAlertSchema.typeName;
  found.startedAtField = found.endedAtField = -1;
  let pos = start;
  while (pos < end) {
    const tagStart = pos;
    pos = readTag(buf, pos, end, name);
    const fieldNo = wire.fieldNo;
    const wireType = wire.wireType;
    if ((fieldNo === ALERT_STARTED_AT || fieldNo === ALERT_ENDED_AT) && wireType === WireType.LengthDelimited) {
      pos = readLength(buf, pos, end, name) + wire.value;
      if (fieldNo === ALERT_STARTED_AT) {
        if (found.startedAtField >= 0) return false;
        found.startedAtField = tagStart;
        found.startedAtEnd = pos;
      } else {
        if (found.endedAtField >= 0) return false;
        found.endedAtField = tagStart;
        found.endedAtEnd = pos;
      }
    } else {
      pos = skipUnknownValue(fieldNo, wireType, buf, pos, end, MAX_DEPTH, name);
    }
  }
  const { startedAtField, startedAtEnd, endedAtField, endedAtEnd } = found;
  const convertStarted = startedAtField >= 0 && readPlainTimestamp(buf, startedAtField, startedAtEnd);
  if (startedAtField >= 0 && found.seconds < 0) return false;
  const startedMs = found.seconds;
  const convertEnded = endedAtField >= 0 && readPlainTimestamp(buf, endedAtField, endedAtEnd);
  if (endedAtField >= 0 && found.seconds < 0) return false;
  const endedMs = found.seconds;
  if (!convertStarted && !convertEnded) return true;

  // The alert's new content: its bytes with the converted timestamp fields written anew.
  let size = end - start;
  if (convertStarted) size += timestampFieldSize(startedMs) - (startedAtEnd - startedAtField);
  if (convertEnded) size += timestampFieldSize(endedMs) - (endedAtEnd - endedAtField);
  let at = splice.replace(fieldStart, end, 1 + varintSize(size) + size);
  const out = splice.scratch;
  out[at++] = ALERTS_TAG;
  at = writeVarint(out, at, size);
  // Fields in the order they came; at most two are replaced.
  const firstIsStarted = !convertEnded || (convertStarted && startedAtField < endedAtField);
  let from = start;
  for (let round = 0; round < 2; round++) {
    const started = round === 0 ? firstIsStarted : !firstIsStarted;
    if (started ? !convertStarted : !convertEnded) continue;
    const fieldAt = started ? startedAtField : endedAtField;
    at = copyBytes(buf, from, fieldAt, out, at);
    at = writeTimestampField(out, at, started ? ALERT_STARTED_AT_TAG : ALERT_ENDED_AT_TAG, started ? startedMs : endedMs);
    from = started ? startedAtEnd : endedAtEnd;
  }
  copyBytes(buf, from, end, out, at);
  return true;
}

/**
 * Reads the Timestamp field `buf[fieldStart, fieldEnd)` (tag included) into `found.seconds`
 * (-1 when it is not plain: a repeated or unknown field, or seconds not exact as a number) and
 * tells whether those seconds hold milliseconds.
 */
function readPlainTimestamp(buf: Uint8Array, fieldStart: number, fieldEnd: number): boolean {
  const name = TimestampSchema.typeName;
  let pos = readTag(buf, fieldStart, fieldEnd, name);
  pos = readLength(buf, pos, fieldEnd, name);
  let seconds = 0;
  let sawSeconds = false;
  let sawNanos = false;
  found.seconds = -1;
  while (pos < fieldEnd) {
    pos = readTag(buf, pos, fieldEnd, name);
    const fieldNo = wire.fieldNo;
    if (fieldNo === TIMESTAMP_SECONDS && wire.wireType === WireType.Varint && !sawSeconds) {
      pos = readVarint(buf, pos, fieldEnd, name);
      if (wire.value > Number.MAX_SAFE_INTEGER) return false;
      seconds = wire.value;
      sawSeconds = true;
    } else if (fieldNo === TIMESTAMP_NANOS && wire.wireType === WireType.Varint && !sawNanos) {
      pos = readVarint(buf, pos, fieldEnd, name);
      sawNanos = true;
    } else {
      return false;
    }
  }
  found.seconds = seconds;
  return seconds >= THRESHOLD;
}

/** Bytes of a Timestamp field rebuilt from milliseconds, tag and length included. */
function timestampFieldSize(milliseconds: number): number {
  const content = timestampContentSize(milliseconds);
  return 1 + varintSize(content) + content;
}

function timestampContentSize(milliseconds: number): number {
  const seconds = Math.floor(milliseconds / 1000);
  const nanos = (milliseconds % 1000) * 1_000_000;
  // proto3 leaves zero values out, as toBinary does.
  return (seconds === 0 ? 0 : 1 + varintSize(seconds)) + (nanos === 0 ? 0 : 1 + varintSize(nanos));
}

function writeTimestampField(out: Uint8Array, at: number, tag: number, milliseconds: number): number {
  const seconds = Math.floor(milliseconds / 1000);
  const nanos = (milliseconds % 1000) * 1_000_000;
  out[at++] = tag;
  at = writeVarint(out, at, timestampContentSize(milliseconds));
  if (seconds !== 0) {
    out[at++] = TIMESTAMP_SECONDS_TAG;
    at = writeVarint(out, at, seconds);
  }
  if (nanos !== 0) {
    out[at++] = TIMESTAMP_NANOS_TAG;
    at = writeVarint(out, at, nanos);
  }
  return at;
}

/** Decodes the alert in `buf[start, end)` and, if a timestamp holds milliseconds, re-encodes it in place. */
function decodeAndConvertAlert(buf: Uint8Array, fieldStart: number, start: number, end: number): void {
  const alert = fromBinary(VehicleAlertSchema, buf.subarray(start, end));
  let changed = false;
  if (holdsMilliseconds(alert.startedAt)) {
    alert.startedAt = fromMilliseconds(alert.startedAt.seconds);
    changed = true;
  }
  if (holdsMilliseconds(alert.endedAt)) {
    alert.endedAt = fromMilliseconds(alert.endedAt.seconds);
    changed = true;
  }
  if (!changed) return;
  const bytes = toBinary(VehicleAlertSchema, alert);
  let at = splice.replace(fieldStart, end, 1 + varintSize(bytes.length) + bytes.length);
  const out = splice.scratch;
  out[at++] = ALERTS_TAG;
  at = writeVarint(out, at, bytes.length);
  copyBytes(bytes, 0, bytes.length, out, at);
}

function holdsMilliseconds(timestamp: Timestamp | undefined): timestamp is Timestamp {
  return timestamp !== undefined && timestamp.seconds >= MILLISECOND_TIMESTAMP_THRESHOLD;
}

function fromMilliseconds(milliseconds: bigint): Timestamp {
  return create(TimestampSchema, {
    seconds: milliseconds / 1000n,
    nanos: Number(milliseconds % 1000n) * 1_000_000,
  });
}
