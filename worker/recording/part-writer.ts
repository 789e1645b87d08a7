// Cuts a byte stream into equal multipart-upload parts, holding one part.
//
// R2 multipart rules: every part but the last has the same size, at least
// 5 MiB; the last may be smaller; at most 10,000 parts. The writer copies
// incoming chunks into one fixed buffer and, when it is full, awaits the part
// upload before accepting more, so memory stays at one part whatever the body
// size, and a slow R2 slows the writer (and so the reader) instead of letting
// chunks pile up. The buffer is reused once its upload has resolved.

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const MAX_PARTS = 10_000;

export interface PartSink {
  uploadPart(partNumber: number, value: Uint8Array): Promise<R2UploadedPart>;
  complete(parts: R2UploadedPart[]): Promise<unknown>;
}

export class RecordingLimitError extends Error {
  constructor(maxBytes: number) {
    super(`the body exceeds the largest recording (${maxBytes} bytes)`);
    this.name = 'RecordingLimitError';
  }
}

export interface PartWriter {
  /** Buffers a chunk; uploads each part as it fills (awaited). */
  write(chunk: Uint8Array): Promise<void>;
  /** Uploads the last (short) part and completes; false when nothing was written. */
  finish(): Promise<boolean>;
  readonly bytes: number;
  readonly parts: number;
}

export function createPartWriter(sink: PartSink, partSize = DEFAULT_PART_SIZE): PartWriter {
  if (!Number.isInteger(partSize) || partSize < 1) {
    throw new TypeError('partSize must be a positive integer');
  }
  const buffer = new Uint8Array(partSize);
  const uploaded: R2UploadedPart[] = [];
  let filled = 0;
  let bytes = 0;

  const flush = async (length: number): Promise<void> => {
    const part = await sink.uploadPart(uploaded.length + 1, buffer.subarray(0, length));
    uploaded.push(part);
    filled = 0;
  };

  return {
    async write(chunk) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        if (filled === 0 && uploaded.length >= MAX_PARTS) {
          throw new RecordingLimitError(MAX_PARTS * partSize);
        }
        const take = Math.min(partSize - filled, chunk.byteLength - offset);
        buffer.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        bytes += take;
        if (filled === partSize) await flush(partSize);
      }
    },
    async finish() {
      if (filled > 0) await flush(filled);
      if (uploaded.length === 0) return false;
      await sink.complete(uploaded);
      return true;
    },
    get bytes() {
      return bytes;
    },
    get parts() {
      return uploaded.length;
    },
  };
}
