// Cuts a byte stream into equal multipart-upload parts, holding one part.
//
// R2 multipart rules: every part but the last has the same size, at least
// 5 MiB; the last may be smaller; at most 10,000 parts. The writer copies
// incoming chunks into one buffer and, when it is full, awaits the part
// upload before accepting more, so memory stays at one part whatever the body
// size, and a slow R2 slows the writer (and so the reader) instead of letting
// chunks pile up. The buffer is reused once its upload has resolved.
//
// Most traces are far smaller than a part, so the buffer starts small and
// grows (doubling) up to the part size only as bytes arrive: a 100 KB read
// does not allocate and zero 8 MiB. And a body that ends before it fills one
// part is stored with the sink's single `put`, when it has one, instead of an
// upload of one part (one R2 operation instead of three; the sink creates
// its multipart upload only when the first part is uploaded).

/** Above R2's 5 MiB minimum; smaller sizes are for tests against local R2 only. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const MAX_PARTS = 10_000;
/** The buffer's first size; it doubles up to the part size as the body grows. */
const INITIAL_BUFFER_BYTES = 64 * 1024;

export interface PartSink {
  uploadPart(partNumber: number, value: Uint8Array): Promise<R2UploadedPart>;
  complete(parts: R2UploadedPart[]): Promise<unknown>;
  /** Stores a whole body that fits in one part; without it, such a body is a one-part upload. */
  putWhole?(value: Uint8Array): Promise<unknown>;
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
  /** Stores the last (short) part and completes; false when nothing was written. */
  finish(): Promise<boolean>;
  readonly bytes: number;
  /** Pieces the body is stored in: upload parts, or 1 for a single put. */
  readonly parts: number;
}

export function createPartWriter(sink: PartSink, partSize = DEFAULT_PART_SIZE): PartWriter {
  if (!Number.isInteger(partSize) || partSize < 1) {
    throw new TypeError('partSize must be a positive integer');
  }
  let buffer = new Uint8Array(Math.min(partSize, INITIAL_BUFFER_BYTES));
  const uploaded: R2UploadedPart[] = [];
  let filled = 0;
  let bytes = 0;
  let storedWhole = false;

  const flush = async (length: number): Promise<void> => {
    const part = await sink.uploadPart(uploaded.length + 1, buffer.subarray(0, length));
    uploaded.push(part);
    filled = 0;
  };

  /** Makes room for `needed` buffered bytes (needed <= partSize). */
  const reserve = (needed: number): void => {
    if (needed <= buffer.byteLength) return;
    const grown = new Uint8Array(Math.min(partSize, Math.max(needed, buffer.byteLength * 2)));
    grown.set(buffer.subarray(0, filled));
    buffer = grown;
  };

  return {
    async write(chunk) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        if (filled === 0 && uploaded.length >= MAX_PARTS) {
          throw new RecordingLimitError(MAX_PARTS * partSize);
        }
        const take = Math.min(partSize - filled, chunk.byteLength - offset);
        reserve(filled + take);
        buffer.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        bytes += take;
        if (filled === partSize) await flush(partSize);
      }
    },
    async finish() {
      if (filled > 0 && uploaded.length === 0 && sink.putWhole !== undefined) {
        await sink.putWhole(buffer.subarray(0, filled));
        storedWhole = true;
        return true;
      }
      if (filled > 0) await flush(filled);
      if (uploaded.length === 0) return false;
      await sink.complete(uploaded);
      return true;
    },
    get bytes() {
      return bytes;
    },
    get parts() {
      return storedWhole ? 1 : uploaded.length;
    },
  };
}
