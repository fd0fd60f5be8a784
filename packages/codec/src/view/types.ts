/** A JSON-friendly value: what a structured logger can write as is (no bigint). */
export type ReadableValue = string | number | boolean | null | ReadableValue[] | ReadableObject;

export interface ReadableObject {
  [key: string]: ReadableValue;
}

/** `V` → an object; `alerts`, `errors` → lists; `connectivity` → an object; others → `{ raw }`. */
export type ReadableRecord = ReadableObject | ReadableObject[];

export interface ReadableRecordOptions {
  /** Wrap each V value as `{ <type name>: value }`, as the reference logger's verbose mode. */
  readonly typed?: boolean;
  /** How `bytes` are encoded: protobuf (default) or the canonical proto JSON of the record. */
  readonly encoding?: 'protobuf' | 'json';
}
