/** Why a payload was rejected: each reason is a rule a protobuf decoder enforces. */
export type PayloadDecodeReason =
  /** A field, length or fixed-width value runs past the end of its message. */
  | 'truncated'
  /** A varint longer than 10 bytes, or whose 10th byte overflows 64 bits. */
  | 'malformed-varint'
  /** Field number 0, a tag that does not fit 32 bits, or wire type 6 or 7. */
  | 'invalid-tag'
  /** A known field arrived with a wire type its declared type cannot have. */
  | 'wire-type-mismatch'
  /** A string field holds bytes that are not valid UTF-8 (proto3 requires it). */
  | 'invalid-utf8'
  /** An end-group tag without its start, or closing a different field. */
  | 'unmatched-group'
  /** Groups nested deeper than the decoder allows. */
  | 'too-deep'
  /** A JSON record (consumers' side) that is not the canonical JSON of its message. */
  | 'invalid-json';

/** The payload of a record does not decode as the protobuf message of its record type. */
export class PayloadDecodeError extends Error {
  override readonly name = 'PayloadDecodeError';

  constructor(
    readonly reason: PayloadDecodeReason,
    /** Byte offset in the payload where decoding failed. */
    readonly offset: number,
    /** Fully qualified name of the message being decoded there. */
    readonly messageName: string,
    options?: ErrorOptions,
  ) {
    super(`cannot decode ${messageName}: ${reason} at byte ${offset}`, options);
  }
}
