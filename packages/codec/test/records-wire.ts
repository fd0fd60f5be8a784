/** Hand-built protobuf wire encodings for tests: any field order, duplicates, unknown fields. */

export type Bytes = readonly number[];

export function varint(value: bigint | number): number[] {
  // Negative numbers are written as their 64-bit two's complement, as int32/int64 fields are.
  let rest = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}

export function tag(fieldNo: number, wireType: number): number[] {
  return varint((BigInt(fieldNo) << 3n) | BigInt(wireType));
}

export const field = {
  varint: (fieldNo: number, value: bigint | number | boolean): number[] => [
    ...tag(fieldNo, 0),
    ...varint(typeof value === 'boolean' ? Number(value) : value),
  ],
  bytes: (fieldNo: number, content: Bytes | Uint8Array): number[] => [
    ...tag(fieldNo, 2),
    ...varint(content.length),
    ...content,
  ],
  string: (fieldNo: number, text: string): number[] => field.bytes(fieldNo, [...new TextEncoder().encode(text)]),
  double: (fieldNo: number, value: number): number[] => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, true);
    return [...tag(fieldNo, 1), ...new Uint8Array(view.buffer)];
  },
  float: (fieldNo: number, value: number): number[] => {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    return [...tag(fieldNo, 5), ...new Uint8Array(view.buffer)];
  },
};

export function bytesOf(...parts: Bytes[]): Uint8Array {
  return Uint8Array.from(parts.flat());
}
