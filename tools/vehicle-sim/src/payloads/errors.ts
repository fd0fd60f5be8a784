import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Field, VehicleErrorsSchema, type VehicleErrors } from '@fleet-telemetry/codec';
import type { Random } from '../random.js';
import type { VehicleState } from './vehicle-state.js';

interface ErrorKind {
  readonly name: string;
  tags(random: Random): Record<string, string>;
  body(tags: Record<string, string>): string;
}

const unsupportedFields = [Field.SemitruckTpmsPressureRe1L0, Field.TonneauPosition, Field.PowershareStatus, Field.Deprecated_1];

/** The kinds of errors the vehicle's telemetry client reports about its own configuration. */
const errorKinds: readonly ErrorKind[] = [
  {
    name: 'unsupported_field',
    tags: (random) => ({ field: Field[random.pick(unsupportedFields)] ?? 'Unknown' }),
    body: (tags) => `field ${tags.field} is not supported by this vehicle`,
  },
  {
    name: 'interval_too_short',
    tags: (random) => ({ field: 'VehicleSpeed', interval_seconds: String(random.pick([0, 1])) }),
    body: (tags) => `interval ${tags.interval_seconds}s is below the minimum for ${tags.field}`,
  },
  {
    name: 'config_expired',
    tags: (random) => ({ config_id: `cfg-${random.int(1000, 9999)}` }),
    body: (tags) => `telemetry configuration ${tags.config_id} expired; streaming stopped for its fields`,
  },
  {
    name: 'send_queue_full',
    tags: (random) => ({ dropped: String(random.int(1, 50)), record_type: 'V' }),
    body: (tags) => `dropped ${tags.dropped} ${tags.record_type} records while offline`,
  },
];

/** An `errors` record: 1–2 errors with tags and a human-readable body. */
export function buildVehicleErrors(state: VehicleState, random: Random, nowMs: number): VehicleErrors {
  const count = random.int(1, 2);
  const errors = [];
  for (let i = 0; i < count; i++) {
    const kind = random.pick(errorKinds);
    const tags = kind.tags(random);
    errors.push({
      createdAt: timestampFromMs(nowMs - random.int(0, 60_000)),
      name: kind.name,
      tags,
      body: kind.body(tags),
    });
  }
  return create(VehicleErrorsSchema, { errors, createdAt: timestampFromMs(nowMs), vin: state.vin });
}

export function encodeVehicleErrors(state: VehicleState, random: Random, nowMs: number): Uint8Array {
  return toBinary(VehicleErrorsSchema, buildVehicleErrors(state, random, nowMs));
}
