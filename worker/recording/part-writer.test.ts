// The part writer: equal parts whatever the chunking, one part in memory,
// and the R2 multipart limits.
import { describe, expect, it } from 'vitest';
import { createPartWriter, MAX_PARTS, RecordingLimitError, type PartSink } from './part-writer.ts';

function fakeSink() {
  const parts: { partNumber: number; bytes: number[] }[] = [];
  let completed: number[] | undefined;
  const sink: PartSink = {
    async uploadPart(partNumber, value) {
      parts.push({ partNumber, bytes: Array.from(value) });
      return { partNumber, etag: `e${partNumber}` };
    },
    async complete(uploaded) {
      completed = uploaded.map((p) => p.partNumber);
    },
  };
  return { sink, parts, completed: () => completed };
}

const bytes = (from: number, count: number) =>
  Uint8Array.from({ length: count }, (_, i) => (from + i) % 256);

describe('the part writer', () => {
  it('cuts any chunking into equal parts and a shorter last part, in order', async () => {
    for (const chunkSizes of [[10], [3, 3, 3, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [7, 3]]) {
      const { sink, parts, completed } = fakeSink();
      const writer = createPartWriter(sink, 4);
      let offset = 0;
      for (const size of chunkSizes) {
        await writer.write(bytes(offset, size));
        offset += size;
      }
      expect(await writer.finish()).toBe(true);
      expect(parts.map((p) => p.bytes)).toEqual([
        [0, 1, 2, 3],
        [4, 5, 6, 7],
        [8, 9],
      ]);
      expect(completed()).toEqual([1, 2, 3]);
      expect(writer.bytes).toBe(10);
    }
  });

  it('does not accept the next chunk until a full part is uploaded', async () => {
    let release: () => void = () => undefined;
    const sink: PartSink = {
      uploadPart: (partNumber) =>
        new Promise((resolve) => {
          release = () => resolve({ partNumber, etag: 'e' });
        }),
      complete: async () => undefined,
    };
    const writer = createPartWriter(sink, 4);
    let settled = false;
    const write = writer.write(bytes(0, 5)).then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    release();
    await write;
    expect(settled).toBe(true);
  });

  it('reports an empty body instead of completing an upload without parts', async () => {
    const { sink, completed } = fakeSink();
    expect(await createPartWriter(sink, 4).finish()).toBe(false);
    expect(completed()).toBeUndefined();
  });

  it(`refuses a body beyond ${MAX_PARTS} parts`, async () => {
    const { sink } = fakeSink();
    const writer = createPartWriter(sink, 1);
    await writer.write(new Uint8Array(MAX_PARTS));
    await expect(writer.write(new Uint8Array(1))).rejects.toBeInstanceOf(RecordingLimitError);
  });

  it('stores a body shorter than one part with a single put, and never starts an upload', async () => {
    const { sink, parts, completed } = fakeSink();
    const whole: number[][] = [];
    sink.putWhole = async (value) => {
      whole.push(Array.from(value));
    };
    const writer = createPartWriter(sink, 4);
    await writer.write(bytes(0, 2));
    await writer.write(bytes(2, 1));
    expect(await writer.finish()).toBe(true);
    expect(whole).toEqual([[0, 1, 2]]);
    expect(parts).toEqual([]);
    expect(completed()).toBeUndefined();
    expect(writer.parts).toBe(1);
  });

  it('grows its buffer up to the part size and keeps every byte in order', async () => {
    const partSize = 200_000; // larger than the buffer's first size, so it must grow
    for (const total of [150_000, 450_000]) {
      const { sink, parts } = fakeSink();
      const whole: number[][] = [];
      sink.putWhole = async (value) => {
        whole.push(Array.from(value));
      };
      const writer = createPartWriter(sink, partSize);
      let offset = 0;
      let size = 1;
      while (offset < total) {
        const take = Math.min(size, total - offset);
        await writer.write(bytes(offset, take));
        offset += take;
        size = (size * 7 + 13) % 70_001; // uneven chunks, some larger than the buffer
      }
      await writer.finish();
      const stored = whole.length > 0 ? whole : parts.map((p) => p.bytes);
      expect(stored.map((b) => b.length)).toEqual(
        total === 150_000 ? [150_000] : [200_000, 200_000, 50_000],
      );
      expect(stored.flat()).toEqual(Array.from(bytes(0, total)));
    }
  });
});
