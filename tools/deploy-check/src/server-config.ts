import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

/**
 * Checks a server config against the server's JSON Schema (apps/server/config.schema.json), as
 * the server does before anything starts. Unlike the server, which only warns about unknown keys,
 * any key the schema does not know is a problem here: example configs must not carry typos.
 * Resolves to one message per problem; none means valid.
 */
export function serverConfigProblems(config: unknown, schemaFile: string): string[] {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  if (validate(config)) return [];
  return (validate.errors ?? []).map((error) => {
    const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
    return `${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}`;
  });
}

/** Reads a JSON config file (the server also accepts comments; the shipped examples have none). */
export function readJsonFile(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}
