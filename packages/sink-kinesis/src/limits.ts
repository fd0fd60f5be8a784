/** Kinesis Data Streams' PutRecords limits. */
export const MAX_RECORDS_PER_CALL = 500;
/** A whole request, data and partition keys included. */
export const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
/** One record, its partition key included. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** Partition keys are 1 to 256 Unicode characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;

/** Bytes a record counts against the limits: its data plus its partition key in UTF-8. */
export function entrySize(data: Uint8Array, partitionKey: string): number {
  return data.byteLength + Buffer.byteLength(partitionKey, 'utf8');
}

/** Why Kinesis would refuse this record (which would fail its whole request), or undefined. */
export function entryProblem(data: Uint8Array, partitionKey: string): string | undefined {
  const keyLength = [...partitionKey].length;
  if (keyLength === 0) return 'the partition key (the VIN) is empty';
  if (keyLength > MAX_PARTITION_KEY_LENGTH) return `the partition key has ${keyLength} characters, over ${MAX_PARTITION_KEY_LENGTH}`;
  const size = entrySize(data, partitionKey);
  if (size > MAX_RECORD_BYTES) return `the record is ${size} bytes with its partition key, over Kinesis' ${MAX_RECORD_BYTES}`;
  return undefined;
}
