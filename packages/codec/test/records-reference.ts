/**
 * The slow, obviously-right version of the record transforms: protobuf-es decodes the whole
 * message, the rules of the reference server are applied to the objects, protobuf-es encodes
 * it again. The wire-level transforms must agree with it on every input.
 */
import { ScalarType, create, fromBinary, toBinary, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { TimestampSchema } from '@bufbuild/protobuf/wkt';
import { VehicleAlertsSchema } from '../src/gen/vehicle_alert_pb.js';
import { VehicleConnectivitySchema } from '../src/gen/vehicle_connectivity_pb.js';
import { Field, PayloadSchema, ValueSchema } from '../src/gen/vehicle_data_pb.js';
import { VehicleErrorsSchema } from '../src/gen/vehicle_error_pb.js';
import { parseLocation } from '../src/records/location.js';
import { SCIENTIFIC_NOTATION, rewriteScientific } from '../src/records/scientific.js';

export function transformPayloadReference(recordType: string, payload: Uint8Array, vin: string): Uint8Array {
  switch (recordType) {
    case 'V': {
      const message = decodeStrictly(PayloadSchema, payload);
      message.vin = vin;
      for (const datum of message.data) {
        const value = datum.value?.value;
        if (datum.key !== Field.Location || value?.case !== 'stringValue' || value.value === '') continue;
        const location = parseLocation(value.value);
        if (location !== undefined) {
          datum.value = create(ValueSchema, { value: { case: 'locationValue', value: location } });
        }
      }
      for (const datum of message.data) {
        const value = datum.value?.value;
        if (value?.case !== 'stringValue' || !SCIENTIFIC_NOTATION.test(value.value)) continue;
        const rewritten = rewriteScientific(value.value);
        if (rewritten !== undefined) {
          datum.value = create(ValueSchema, { value: { case: 'stringValue', value: rewritten } });
        }
      }
      return toBinary(PayloadSchema, message);
    }
    case 'alerts': {
      const message = decodeStrictly(VehicleAlertsSchema, payload);
      message.vin = vin;
      for (const alert of message.alerts) {
        for (const key of ['startedAt', 'endedAt'] as const) {
          const timestamp = alert[key];
          if (timestamp !== undefined && timestamp.seconds >= 315_576_000_000n) {
            alert[key] = create(TimestampSchema, {
              seconds: timestamp.seconds / 1000n,
              nanos: Number(timestamp.seconds % 1000n) * 1_000_000,
            });
          }
        }
      }
      return toBinary(VehicleAlertsSchema, message);
    }
    case 'errors': {
      const message = decodeStrictly(VehicleErrorsSchema, payload);
      message.vin = vin;
      return toBinary(VehicleErrorsSchema, message);
    }
    case 'connectivity': {
      const message = decodeStrictly(VehicleConnectivitySchema, payload);
      message.vin = vin;
      return toBinary(VehicleConnectivitySchema, message);
    }
    default:
      return payload;
  }
}

/**
 * protobuf-es `fromBinary` (which rejects invalid UTF-8 in proto3 strings, as Go does), after
 * checking what Go's decoder rejects and protobuf-es lets through: varints over 10 bytes or
 * 64 bits, lengths that do not fit their message (protobuf-es reads only 32 bits of a length
 * and does not check that a field ends within its sub-message), and declared fields sent with
 * another wire type (protobuf-es reads them by their declared type regardless).
 */
export function decodeStrictly<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array) {
  checkMessage(schema, bytes, 0, bytes.length, 1);
  return fromBinary(schema, bytes);
}

class StrictDecodeError extends Error {}

function fail(what: string, at: number): never {
  throw new StrictDecodeError(`${what} at ${at}`);
}

function checkMessage(schema: DescMessage | undefined, bytes: Uint8Array, pos: number, end: number, depth: number): void {
  while (pos < end) {
    const tagStart = pos;
    const [tag, afterTag] = varint(bytes, pos, end);
    if (afterTag - tagStart > 5 || tag > 0xffffffffn) fail('tag overflow', tagStart);
    const fieldNo = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (fieldNo === 0 || wireType > 5) fail('illegal tag', tagStart);
    const field = schema?.fields.find((candidate) => candidate.number === fieldNo);
    pos = afterTag;
    if (field === undefined) {
      pos = skipUnknown(bytes, pos, end, fieldNo, wireType, 100 - depth);
      continue;
    }
    const allowed = allowedWireTypes(field);
    if (!allowed.includes(wireType)) fail('wire type mismatch', tagStart);
    if (wireType !== 2) {
      pos = skipUnknown(bytes, pos, end, fieldNo, wireType, 0);
      continue;
    }
    const [length, contentStart] = varint(bytes, pos, end);
    if (length > BigInt(end - contentStart)) fail('length overflow', pos);
    const contentEnd = contentStart + Number(length);
    const child = field.fieldKind === 'map' ? undefined : field.message;
    if (child !== undefined) checkMessage(child, bytes, contentStart, contentEnd, depth + 1);
    else if (field.fieldKind === 'map') checkMessage(undefined, bytes, contentStart, contentEnd, depth + 1);
    else if (allowed.length > 1) {
      // A packed run of numbers.
      for (let at = contentStart; at < contentEnd; ) {
        at = allowed[1] === 0 ? varint(bytes, at, contentEnd)[1] : at + (allowed[1] === 1 ? 8 : 4);
        if (at > contentEnd) fail('packed overflow', at);
      }
    }
    pos = contentEnd;
  }
}

/** The wire types a declared field may arrive with; for packable lists: [2, element type]. */
function allowedWireTypes(field: DescField): number[] {
  const scalarWireType = (scalar: ScalarType): number => {
    switch (scalar) {
      case ScalarType.DOUBLE:
      case ScalarType.FIXED64:
      case ScalarType.SFIXED64:
        return 1;
      case ScalarType.FLOAT:
      case ScalarType.FIXED32:
      case ScalarType.SFIXED32:
        return 5;
      case ScalarType.STRING:
      case ScalarType.BYTES:
        return 2;
      default:
        return 0;
    }
  };
  switch (field.fieldKind) {
    case 'scalar':
      return [scalarWireType(field.scalar)];
    case 'enum':
      return [0];
    case 'message':
    case 'map':
      return [2];
    case 'list': {
      if (field.listKind === 'message') return [2];
      const element = field.listKind === 'enum' ? 0 : scalarWireType(field.scalar);
      return element === 2 ? [2] : [2, element];
    }
  }
}

function skipUnknown(bytes: Uint8Array, pos: number, end: number, fieldNo: number, wireType: number, groupBudget: number): number {
  switch (wireType) {
    case 0:
      return varint(bytes, pos, end)[1];
    case 1:
    case 5: {
      const next = pos + (wireType === 1 ? 8 : 4);
      if (next > end) fail('fixed overflow', pos);
      return next;
    }
    case 2: {
      const [length, start] = varint(bytes, pos, end);
      if (length > BigInt(end - start)) fail('length overflow', pos);
      return start + Number(length);
    }
    case 3: {
      if (groupBudget <= 0) fail('groups too deep', pos);
      for (;;) {
        if (pos >= end) fail('unterminated group', pos);
        const [tag, next] = varint(bytes, pos, end);
        if (next - pos > 5 || tag > 0xffffffffn) fail('tag overflow', pos);
        const innerNo = Number(tag >> 3n);
        const innerType = Number(tag & 7n);
        if (innerNo === 0 || innerType > 5) fail('illegal tag', pos);
        if (innerType === 4) {
          if (innerNo !== fieldNo) fail('mismatched end group', pos);
          return next;
        }
        pos = skipUnknown(bytes, next, end, innerNo, innerType, groupBudget - 1);
      }
    }
    default:
      return fail('unexpected end group', pos);
  }
}

/** A varint as a BigInt, with Go's limits: at most 10 bytes, within 64 bits. */
function varint(bytes: Uint8Array, pos: number, end: number): [bigint, number] {
  let value = 0n;
  for (let index = 0; index < 10; index++) {
    if (pos + index >= end) fail('truncated varint', pos);
    const byte = bytes[pos + index]!;
    value |= BigInt(byte & 0x7f) << BigInt(7 * index);
    if (byte < 0x80) {
      if (index === 9 && byte > 1) fail('varint overflow', pos);
      return [value, pos + index + 1];
    }
  }
  return fail('varint too long', pos);
}
