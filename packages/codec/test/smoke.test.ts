import { describe, expect, it } from 'vitest';
import { create, toBinary, fromBinary } from '@bufbuild/protobuf';
import { PayloadSchema } from '@fleet-telemetry/codec';

describe('smoke', () => {
  it('round trips', () => {
    const p = create(PayloadSchema, { vin: 'X' });
    expect(fromBinary(PayloadSchema, toBinary(PayloadSchema, p)).vin).toBe('X');
  });
});
