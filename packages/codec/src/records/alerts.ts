import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { TimestampSchema, type Timestamp } from '@bufbuild/protobuf/wkt';
import { VehicleAlertsSchema } from '../gen/vehicle_alert_pb.js';
import { messageTable } from './schema-table.js';
import { validateMessage } from './validate.js';

/**
 * Timestamps from this many seconds on are really milliseconds: it is the largest duration
 * protobuf's JSON mapping accepts (10,000 years), far past any real date in seconds.
 */
export const MILLISECOND_TIMESTAMP_THRESHOLD = 315_576_000_000n;

const ALERTS = messageTable(VehicleAlertsSchema);

/**
 * The `alerts` transform: VIN from the certificate, and every `started_at` / `ended_at` whose
 * seconds hold milliseconds converted (the reference rebuilds such a timestamp from the
 * milliseconds alone, so its nanos are replaced). Returns `payload` itself when nothing changes.
 */
export function transformAlerts(payload: Uint8Array, vin: string, stats?: { signals: number }): Uint8Array {
  validateMessage(ALERTS, payload, 0, payload.length, 1);
  const message = fromBinary(VehicleAlertsSchema, payload);
  // One element per occurrence of the repeated field, in the payload and in its re-encoding alike.
  if (stats !== undefined) stats.signals = message.alerts.length;
  let changed = message.vin !== vin;
  message.vin = vin;
  for (const alert of message.alerts) {
    if (holdsMilliseconds(alert.startedAt)) {
      alert.startedAt = fromMilliseconds(alert.startedAt.seconds);
      changed = true;
    }
    if (holdsMilliseconds(alert.endedAt)) {
      alert.endedAt = fromMilliseconds(alert.endedAt.seconds);
      changed = true;
    }
  }
  return changed ? toBinary(VehicleAlertsSchema, message) : payload;
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
