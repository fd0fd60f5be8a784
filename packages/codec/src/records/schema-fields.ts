import type { DescMessage } from '@bufbuild/protobuf';
import { WireType, tagOf } from './wire.js';

/** The number of a field, looked up by its generated (localName) name. */
export function fieldNumber(desc: DescMessage, localName: string): number {
  const field = desc.field[localName];
  if (field === undefined) throw new Error(`${desc.typeName} has no field ${localName}`);
  return field.number;
}

/** The one-byte tag of a length-delimited field (field numbers up to 15). */
export function lengthDelimitedTag(desc: DescMessage, localName: string): number {
  const tag = tagOf(fieldNumber(desc, localName), WireType.LengthDelimited);
  if (tag > 0x7f) throw new Error(`${desc.typeName}.${localName}: tag does not fit one byte`);
  return tag;
}

/** `members[fieldNumber]` is 1 for the fields of the message's oneofs. */
export function oneofMembers(desc: DescMessage): Uint8Array {
  const members = new Uint8Array(desc.fields.reduce((max, field) => Math.max(max, field.number), 0) + 1);
  for (const oneof of desc.oneofs) {
    for (const field of oneof.fields) members[field.number] = 1;
  }
  return members;
}
