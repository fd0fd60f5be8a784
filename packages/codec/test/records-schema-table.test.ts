import { describe, expect, it } from 'vitest';
import { VehicleAlertSchema } from '../src/gen/vehicle_alert_pb.js';
import { PayloadSchema, ValueSchema } from '../src/gen/vehicle_data_pb.js';
import { VehicleErrorSchema } from '../src/gen/vehicle_error_pb.js';
import { Layout, messageTable } from '../src/records/schema-table.js';

describe('messageTable', () => {
  it('derives each field layout from the descriptors', () => {
    const payload = messageTable(PayloadSchema);
    expect([...payload.layouts]).toEqual([Layout.Unknown, Layout.Message, Layout.Message, Layout.String, Layout.Varint]);
    expect(payload.children[1]?.typeName).toBe('telemetry.vehicle_data.Datum');
    expect(payload.children[2]?.typeName).toBe('google.protobuf.Timestamp');
  });

  it('knows every Value member, and that number 20 is not one', () => {
    const value = messageTable(ValueSchema);
    expect(value.layouts[20]).toBe(Layout.Unknown);
    expect(value.layouts.filter((layout) => layout !== Layout.Unknown)).toHaveLength(ValueSchema.fields.length);
    expect(value.layouts[ValueSchema.field['doubleValue']!.number]).toBe(Layout.Fixed64);
    expect(value.layouts[ValueSchema.field['floatValue']!.number]).toBe(Layout.Fixed32);
    expect(value.children[ValueSchema.field['locationValue']!.number]?.typeName).toBe('telemetry.vehicle_data.LocationValue');
  });

  it('lets repeated enums come packed or not, and maps as entry messages', () => {
    expect(messageTable(VehicleAlertSchema).layouts[2]).toBe(Layout.RepeatedVarint);
    const tags = messageTable(VehicleErrorSchema).children[3]!;
    expect([...tags.layouts]).toEqual([Layout.Unknown, Layout.String, Layout.String]);
  });

  it('builds one table per message type', () => {
    expect(messageTable(PayloadSchema)).toBe(messageTable(PayloadSchema));
  });
});
