import { Ajv, type ErrorObject } from 'ajv';
import configSchema from '../../config.schema.json' with { type: 'json' };
import type { ConfigDocument } from './document.js';
import type { ConfigPath, ConfigProblem } from './problems.js';
import type { ServerConfig } from './types.js';

export { configSchema };

export interface SchemaCheck {
  /** Problems that make the config unusable. */
  readonly errors: readonly ConfigProblem[];
  /** Unknown keys: reported, never fatal (older and newer configs must keep starting). */
  readonly warnings: readonly ConfigProblem[];
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile<ServerConfig>(configSchema);

/** Checks the document against config.schema.json; every problem names its key path. */
export function checkAgainstSchema(document: ConfigDocument): SchemaCheck {
  if (validate(document.value)) return { errors: [], warnings: [] };
  const errors: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  for (const error of validate.errors ?? []) {
    // ajv reports a failed propertyNames twice: once per offending name and once for the object.
    if (error.propertyName !== undefined) continue;
    const problem = toProblem(error, document);
    if (error.keyword === 'additionalProperties') warnings.push(problem);
    else errors.push(problem);
  }
  return { errors, warnings };
}

function toProblem(error: ErrorObject, document: ConfigDocument): ConfigProblem {
  const path = pathOf(error.instancePath, document.value);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const at = document.locate(path);
      return { path: [...path, String(params.missingProperty)], message: 'is required', ...at };
    }
    case 'additionalProperties': {
      const keyPath = [...path, String(params.additionalProperty)];
      return { path: keyPath, message: 'is not a known key (ignored)', ...document.locate(keyPath, true) };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ');
      return { path, message: `must be one of ${allowed}, got ${preview(valueAt(document.value, path))}`, ...document.locate(path) };
    }
    case 'type':
      return { path, message: `must be ${String(params.type)}, got ${preview(valueAt(document.value, path))}`, ...document.locate(path) };
    case 'propertyNames':
      return { path, message: 'must not have an empty key', ...document.locate(path) };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}`, ...document.locate(path) };
  }
}

/** JSON Pointer → path segments, with array positions as numbers. */
function pathOf(pointer: string, root: unknown): ConfigPath {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) {
      const index = Number(segment);
      path.push(index);
      current = current[index];
    } else {
      path.push(segment);
      current = isObject(current) ? current[segment] : undefined;
    }
  }
  return path;
}

function valueAt(root: unknown, path: ConfigPath): unknown {
  let current = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isObject(current) && typeof segment === 'string') current = current[segment];
    else return undefined;
  }
  return current;
}

function preview(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
