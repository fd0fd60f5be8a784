export { transformPayload, type TransformStats } from './transform.js';
export { transformPayloadToJsonBytes } from './transform-json.js';
export { PayloadDecodeError, type PayloadDecodeReason } from './errors.js';
export { recordMetadata, type RecordMetadataFields, type RecordMetadataInput } from './metadata.js';
export {
  decodeRecord,
  recordTypeFromTopic,
  type DecodeRecordInput,
  type DecodedRecord,
  type RecordEncoding,
  type RecordHeaders,
  type RecordMessage,
  type RecordMessages,
} from './decode-record.js';
export { parseLocation, type ParsedLocation } from './location.js';
export { countTopLevelField } from './count-field.js';
