export { protobufToJson, protobufToJsonBytes } from './writer.js';
export { JsonEncodeError } from './errors.js';
export type { JsonEncodeErrorReason } from './errors.js';
