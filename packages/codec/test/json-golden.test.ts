import { readFileSync } from 'node:fs';
import { createRegistry } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  JsonEncodeError,
  file_vehicle_alert,
  file_vehicle_connectivity,
  file_vehicle_data,
  file_vehicle_error,
  file_vehicle_metric,
  protobufToJson,
} from '../src/index.js';

/**
 * Byte-for-byte agreement with Go's protojson, the reference server's JSON writer, on the cases
 * in fixtures/json/golden (hand-built wire cases, generated messages, float bit patterns).
 */
interface GoldenCase {
  name: string;
  schema: string;
  hex: string;
  json?: string;
  error?: string;
}

const golden = JSON.parse(
  readFileSync(new URL('./fixtures/json/golden/golden.json', import.meta.url), 'utf8'),
) as GoldenCase[];
const registry = createRegistry(file_vehicle_data, file_vehicle_alert, file_vehicle_error, file_vehicle_connectivity, file_vehicle_metric);

function run(c: GoldenCase): string | JsonEncodeError {
  const schema = registry.getMessage(c.schema);
  if (schema === undefined) throw new Error(`unknown schema ${c.schema}`);
  try {
    return protobufToJson(schema, Buffer.from(c.hex, 'hex'));
  } catch (error) {
    if (error instanceof JsonEncodeError) return error;
    throw error;
  }
}

describe('protobufToJson against Go protojson', () => {
  it('has the fixture', () => {
    expect(golden.length).toBeGreaterThan(1000);
  });

  it('writes what Go writes, and fails where Go fails', () => {
    const mismatches: string[] = [];
    for (const c of golden) {
      const actual = run(c);
      const expected = c.json ?? `JsonEncodeError (Go: ${c.error})`;
      const got = actual instanceof JsonEncodeError ? `JsonEncodeError (Go: ${c.error})` : actual;
      if (c.json !== undefined ? got !== c.json : !(actual instanceof JsonEncodeError)) {
        mismatches.push(`${c.name}\n  go:   ${expected}\n  ours: ${actual instanceof JsonEncodeError ? actual.message : actual}`);
      }
    }
    expect(mismatches.slice(0, 20).join('\n')).toBe('');
    expect(mismatches).toHaveLength(0);
  });
});
