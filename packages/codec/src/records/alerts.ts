import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { TimestampSchema, type Timestamp } from '@bufbuild/protobuf/wkt';
import { VehicleAlertSchema, VehicleAlertsSchema } from '../gen/vehicle_alert_pb.js';
import { fieldNumber, lengthDelimitedTag } from './schema-fields.js';
import { messageTable } from './schema-table.js';
import { Splice, bytesEqual, copyBytes, utf8Of } from './splice.js';
import { MAX_DEPTH, skipUnknownValue, validateMessage } from './validate.js';
import { WireType, readLength, readTag, readVarint, varintSize, writeVarint, wire } from './wire.js';

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
const TIMESTAMP_SECONDS = fieldNumber(TimestampSchema, 'seconds');

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

/** Decodes the alert in `buf[start, end)` and, if a timestamp holds milliseconds, re-encodes it in place. */
function convertAlert(buf: Uint8Array, fieldStart: number, start: number, end: number): void {
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
