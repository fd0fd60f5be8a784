export { readableRecord } from './readable.js';
export type { ReadableObject, ReadableRecord, ReadableRecordOptions, ReadableValue } from './types.js';
