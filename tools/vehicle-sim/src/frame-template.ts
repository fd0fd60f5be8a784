import { encodeStreamFrame } from '@fleet-telemetry/codec';
import { formatTxid, sequenceOffset, writeSequence } from './txid.js';

export const vehicleDeviceType = 'vehicle_device';

export interface FrameTemplateInit {
  readonly vin: string;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly txidPrefix: string;
  readonly messageIdPrefix: string;
  /** Epoch milliseconds for the envelope's created_at. */
  readonly createdAtMs: number;
}

/**
 * A frame encoded once and sent many times: only the sequence digits of its txid and message_id
 * change between sends, written in place. ws copies a frame while masking it, so the same buffer
 * can be patched again as soon as `send` returns.
 */
export class FrameTemplate {
  private constructor(
    readonly frame: Buffer,
    private readonly txidSequenceAt: number,
    private readonly messageIdSequenceAt: number,
    readonly builtAtMs: number,
  ) {}

  static build(init: FrameTemplateInit): FrameTemplate {
    const txid = formatTxid(init.txidPrefix, 0);
    const messageId = formatTxid(init.messageIdPrefix, 0);
    const encoded = encodeStreamFrame({
      txid,
      topic: init.topic,
      messageId,
      createdAt: Math.floor(init.createdAtMs / 1000),
      senderId: `${vehicleDeviceType}.${init.vin}`,
      payload: init.payload,
      deviceType: vehicleDeviceType,
      deviceId: init.vin,
    });
    const frame = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    return new FrameTemplate(
      frame,
      locate(frame, txid) + sequenceOffset,
      locate(frame, messageId) + sequenceOffset,
      init.createdAtMs,
    );
  }

  /** The frame with `sequence` in its txid and message_id. Valid until the next `stamp`. */
  stamp(sequence: number): Buffer {
    writeSequence(this.frame, this.txidSequenceAt, sequence);
    writeSequence(this.frame, this.messageIdSequenceAt, sequence);
    return this.frame;
  }
}

function locate(frame: Buffer, text: string): number {
  const at = frame.indexOf(text, 0, 'latin1');
  if (at < 0) throw new Error(`encoded frame does not contain "${text}"`);
  return at;
}
