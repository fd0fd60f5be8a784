import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  ConnectivityEvent,
  Field,
  PayloadSchema,
  VehicleConnectivitySchema,
  protobufToJson,
  recordMetadata,
  type DecodedRecord,
} from '@fleet-telemetry/codec';
import type { PayloadEncoding, RecordMetadata, TelemetryRecord } from '@fleet-telemetry/sink-api';

export type RecordKind = 'V' | 'connectivity';

/**
 * A record as the server hands it to sinks: a real `V` payload (a speed) or a connectivity
 * event, protobuf or canonical JSON, with the reference metadata.
 */
export function realRecord(kind: RecordKind, encoding: PayloadEncoding, vin: string, marker: string): TelemetryRecord {
  const receivedAt = Date.now();
  const txid = `${kind}-${encoding}-${marker}`;
  const [schema, bytes] =
    kind === 'V'
      ? ([
          PayloadSchema,
          toBinary(
            PayloadSchema,
            create(PayloadSchema, {
              vin,
              createdAt: timestampFromMs(receivedAt),
              data: [{ key: Field.VehicleSpeed, value: { value: { case: 'stringValue', value: marker } } }],
            }),
          ),
        ] as const)
      : ([
          VehicleConnectivitySchema,
          toBinary(
            VehicleConnectivitySchema,
            create(VehicleConnectivitySchema, {
              vin,
              connectionId: marker,
              status: ConnectivityEvent.CONNECTED,
              networkInterface: 'wifi',
              createdAt: timestampFromMs(receivedAt),
            }),
          ),
        ] as const);
  const payload = encoding === 'json' ? new TextEncoder().encode(protobufToJson(schema, bytes)) : bytes;
  return {
    recordType: kind,
    vin,
    txid,
    socketId: marker,
    receivedAt,
    payload,
    encoding,
    metadata: recordMetadata({ vin, receivedAt, txid, recordType: kind, deviceClientVersion: '2025.2.6' }) as RecordMetadata,
  };
}

/** The marker `realRecord` put in a decoded record: the speed string, or the connection id. */
export function markerOf(decoded: DecodedRecord): string {
  const message = decoded.message as { connectionId?: string; data?: Array<{ value?: { value: { value?: unknown } } }> };
  if (decoded.recordType === 'connectivity') return message.connectionId ?? '';
  return String(message.data?.[0]?.value?.value.value ?? '');
}
