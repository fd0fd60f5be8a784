import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SINK_NAMES,
  checkAgainstSchema,
  configSchema,
  describeProblem,
  parseConfigDocument,
} from '../../src/config/index.js';

const read = (path: string) => parseConfigDocument(readFileSync(new URL(path, import.meta.url), 'utf8'));

describe('config.schema.json', () => {
  it('validates the committed development config', () => {
    expect(checkAgainstSchema(read('../../config.dev.json'))).toEqual({ errors: [], warnings: [] });
  });

  it("validates the reference server's example config, warning only about its unknown section", () => {
    const check = checkAgainstSchema(read('../fixtures/reference-server-config.json'));
    expect(check.errors).toEqual([]);
    expect(check.warnings.map((warning) => describeProblem(warning))).toEqual([
      expect.stringMatching(/^data_connectors is not a known key/),
    ]);
  });

  it("validates the reference server's Kafka test config (librdkafka keys pass through)", () => {
    expect(checkAgainstSchema(read('../fixtures/reference-kafka-config.json'))).toEqual({ errors: [], warnings: [] });
  });

  it('lists exactly the sink names the server knows', () => {
    expect(configSchema.definitions.sinkName.enum).toEqual([...SINK_NAMES]);
  });

  it('describes every top-level key, so editors can explain them', () => {
    for (const [key, property] of Object.entries(configSchema.properties)) {
      expect((property as { description?: string }).description, key).toMatch(/\S/);
    }
  });
});
