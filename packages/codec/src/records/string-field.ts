import type { DescMessage } from '@bufbuild/protobuf';
import { lengthDelimitedTag, fieldNumber } from './schema-fields.js';
import { Layout, messageTable } from './schema-table.js';
import { Splice, bytesEqual, utf8Of } from './splice.js';
import { skipFieldValue } from './validate.js';
import { WireType, decodeError, isValidUtf8, readLength, readTag, wire } from './wire.js';

const splice = new Splice();

/**
 * Validates `payload` as a `desc` message and sets its top-level string field `localName` to
 * `value`, on the wire: the payload itself when the field already holds `value`, else the
 * original bytes without that field's occurrences and with one new occurrence at the end.
 */
export function setStringField(desc: DescMessage, localName: string, payload: Uint8Array, value: string): Uint8Array {
  const table = messageTable(desc);
  const target = fieldNumber(desc, localName);
  const end = payload.length;
  splice.reset();
  let valueStart = -1;
  let valueEnd = -1;
  let pos = 0;
  while (pos < end) {
    const fieldStart = pos;
    pos = readTag(payload, pos, end, table.typeName);
    const fieldNo = wire.fieldNo;
    if (fieldNo === target && wire.wireType === WireType.LengthDelimited) {
      valueStart = readLength(payload, pos, end, table.typeName);
      valueEnd = pos = valueStart + wire.value;
      if (!isValidUtf8(payload, valueStart, valueEnd)) decodeError('invalid-utf8', valueStart, table.typeName);
      splice.remove(fieldStart, pos);
    } else {
      const layout = fieldNo < table.layouts.length ? table.layouts[fieldNo]! : Layout.Unknown;
      pos = skipFieldValue(table, layout, fieldNo, wire.wireType, payload, pos, end, 1, fieldStart);
    }
  }
  const bytes = utf8Of(value);
  // The last occurrence of a singular field wins.
  const unchanged = valueStart < 0 ? bytes.length === 0 : bytesEqual(payload, valueStart, valueEnd, bytes);
  if (unchanged) return payload;
  return splice.apply(payload, true, lengthDelimitedTag(desc, localName), bytes);
}
