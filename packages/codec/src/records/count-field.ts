import { MAX_DEPTH, skipUnknownValue } from './validate.js';
import { readTag, wire } from './wire.js';

/**
 * How many times field `fieldNo` occurs at the top level of `message`: for V and alerts payloads,
 * field 1 is the repeated list of signals. Walks tags and lengths in place with the codec's own
 * wire reader (groups included) and throws `PayloadDecodeError` on malformed bytes.
 */
export function countTopLevelField(message: Uint8Array, fieldNo: number, messageName = 'message'): number {
  let count = 0;
  let pos = 0;
  const end = message.length;
  while (pos < end) {
    pos = readTag(message, pos, end, messageName);
    if (wire.fieldNo === fieldNo) count += 1;
    pos = skipUnknownValue(wire.fieldNo, wire.wireType, message, pos, end, MAX_DEPTH, messageName);
  }
  return count;
}
