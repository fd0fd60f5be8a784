import type { DescMessage } from '@bufbuild/protobuf';
import { JsonEncodeError } from './errors.js';
import { writeMergedMessage } from './merged-writer.js';
import { discardOutput, outputBytes, outputString, resetOutput } from './output.js';
import { messagePlan } from './plan.js';
import { writeStreamedMessage } from './stream-writer.js';
import { clearInput, setInput } from './wire.js';

/**
 * Writes protobuf wire bytes of `schema` as canonical proto JSON, byte for byte as Go's protojson
 * with `EmitUnpopulated: true` (the reference server's setting), without building a message.
 * Throws `JsonEncodeError` for bytes that are not a valid encoding.
 */
export function protobufToJson(schema: DescMessage, bytes: Uint8Array): string {
  writeJson(schema, bytes);
  return outputString();
}

/**
 * The same JSON as `protobufToJson`, as UTF-8 bytes: what sinks send, without a string in
 * between. The result is a Node Buffer from the allocation pool (it may share its ArrayBuffer).
 */
export function protobufToJsonBytes(schema: DescMessage, bytes: Uint8Array): Uint8Array {
  writeJson(schema, bytes);
  return outputBytes();
}

function writeJson(schema: DescMessage, bytes: Uint8Array): void {
  const plan = messagePlan(schema);
  setInput(bytes);
  try {
    // Nearly every message comes in the order its fields are declared, each once, and is
    // written in one pass; the merged writer takes the rest, and reports broken bytes.
    resetOutput();
    let written: boolean;
    try {
      written = writeStreamedMessage(plan, 0, bytes.length, 0);
    } catch (error) {
      if (!(error instanceof JsonEncodeError)) throw error;
      written = false;
    }
    if (!written) {
      resetOutput();
      writeMergedMessage(plan, bytes.length);
    }
  } catch (error) {
    discardOutput();
    throw error;
  } finally {
    clearInput();
  }
}
