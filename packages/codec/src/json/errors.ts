/** Why a protobuf payload could not be written as JSON. */
export type JsonEncodeErrorReason =
  /** A value or length prefix runs past the end of its message. */
  | 'truncated'
  /** A varint longer than 10 bytes or overflowing 64 bits. */
  | 'invalid_varint'
  /** Field number 0 or above 2^29-1, or a reserved wire type. */
  | 'invalid_tag'
  /** An end-group marker that closes nothing, or a group that is never closed. */
  | 'invalid_group'
  /** A packed repeated field whose content does not end on an element boundary. */
  | 'invalid_packed'
  /** A string that is not valid UTF-8. */
  | 'invalid_utf8'
  /** A google.protobuf.Timestamp outside 0001-01-01 .. 9999-12-31 or with nanos outside 0..999999999. */
  | 'invalid_timestamp'
  /** Messages nested deeper than the writer allows. */
  | 'too_deep'
  /** The schema uses a feature the writer does not support (see the README). */
  | 'unsupported_schema';

/** Thrown by `protobufToJson` for input it cannot write; never a crash, never a hang. */
export class JsonEncodeError extends Error {
  override readonly name = 'JsonEncodeError';

  constructor(
    readonly reason: JsonEncodeErrorReason,
    message: string,
  ) {
    super(message);
  }
}
