// Large bodies: the recording completes with the right digest and size for a
// body of several parts read slowly, and for a body larger than 128 MiB; the
// recorder never runs more than one part ahead of the reader or behind it.
import { createHash } from 'node:crypto';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../worker/recording/manifest.ts';
import { DEFAULT_PART_SIZE } from '../../worker/recording/part-writer.ts';
import { keysForPrefix } from '../../worker/recording/recording-keys.ts';
import {
  appFor,
  auditRows,
  bearer,
  bucketWith,
  createHarness,
  type Harness,
} from './recording-harness.ts';

const CHUNK = 64 * 1024;
const MiB = 1024 * 1024;

let harness: Harness;
let block: Uint8Array;
beforeAll(async () => {
  harness = await createHarness();
  block = new Uint8Array(CHUNK);
  crypto.getRandomValues(block);
});

/** `total` bytes in CHUNK-sized chunks, each distinct (its index in the first bytes), made on demand. */
function generatedBody(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  let index = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) {
          controller.close();
          return;
        }
        const size = Math.min(CHUNK, total - sent);
        const chunk = block.slice(0, size);
        new DataView(chunk.buffer).setUint32(0, index++);
        sent += size;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
}

interface PartCall {
  partNumber: number;
  size: number;
  clientBytes: number;
}

/** RECORDINGS, with each uploadPart call logged against the reader's progress. */
function instrumentedBucket(calls: PartCall[], clientBytes: () => number): R2Bucket {
  return bucketWith({
    createMultipartUpload: async (key, options) => {
      const upload = await env.RECORDINGS.createMultipartUpload(key, options);
      return {
        key: upload.key,
        uploadId: upload.uploadId,
        uploadPart: (partNumber: number, value: Parameters<R2MultipartUpload['uploadPart']>[1]) => {
          const size = value instanceof Uint8Array ? value.byteLength : -1;
          calls.push({ partNumber, size, clientBytes: clientBytes() });
          return upload.uploadPart(partNumber, value);
        },
        abort: () => upload.abort(),
        complete: (parts: R2UploadedPart[]) => upload.complete(parts),
      };
    },
  });
}

async function readRecording(requestId: string) {
  const completed = (await auditRows(requestId)).find((r) => r.event === 'completed');
  const keys = keysForPrefix(String(completed?.recording_key));
  const manifest = parseManifest((await (await env.RECORDINGS.get(keys.manifest))?.text()) ?? '');
  return { completed, manifest, keys };
}

async function digestOf(
  stream: ReadableStream<Uint8Array>,
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), bytes };
}

describe('a body larger than one part', () => {
  it('read slowly, is recorded completely, with R2 never more than one part ahead or behind', async () => {
    const total = 2 * DEFAULT_PART_SIZE + 3 * MiB + 123;
    const calls: PartCall[] = [];
    let clientBytes = 0;
    const ctx = createExecutionContext();
    const response = await appFor(harness, {
      upstream: async () =>
        new Response(generatedBody(total), { headers: { 'content-type': 'application/x-ndjson' } }),
    }).request(
      'https://gateway.test/lf/traces/big',
      bearer(await harness.staffToken()),
      { ...env, RECORDINGS: instrumentedBucket(calls, () => clientBytes) },
      ctx,
    );
    const hash = createHash('sha256');
    const reader = response.body?.getReader();
    for (let reads = 0; reader !== undefined; reads++) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      clientBytes += value.byteLength;
      // A slow reader: a pause every few chunks.
      if (reads % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await waitOnExecutionContext(ctx);
    expect(clientBytes).toBe(total);

    const { manifest, completed } = await readRecording(response.headers.get('x-request-id') ?? '');
    const sha256 = hash.digest('hex');
    expect(manifest).toMatchObject({
      status: 'complete',
      body: { size: total, sha256, parts: 3, stored: true },
    });
    expect(completed).toMatchObject({ sha256, bytes: total });
    expect(calls.map((c) => [c.partNumber, c.size])).toEqual([
      [1, DEFAULT_PART_SIZE],
      [2, DEFAULT_PART_SIZE],
      [3, total - 2 * DEFAULT_PART_SIZE],
    ]);
    let uploaded = 0;
    for (const call of calls) {
      // Only bytes the reader was handed are uploaded (at most the chunk in flight)...
      expect(uploaded + call.size).toBeLessThanOrEqual(call.clientBytes + CHUNK);
      // ...and the reader never got more than one part past what R2 has.
      expect(call.clientBytes - uploaded).toBeLessThanOrEqual(DEFAULT_PART_SIZE + CHUNK);
      uploaded += call.size;
    }
  });

  it(
    'of more than 128 MiB is recorded completely and replays with the same digest',
    { timeout: 120_000 },
    async () => {
      const total = 130 * MiB + 7;
      const ctx = createExecutionContext();
      const response = await appFor(harness, {
        upstream: async () =>
          new Response(generatedBody(total), { headers: { 'content-type': 'application/json' } }),
      }).request(
        'https://gateway.test/lf/traces/huge',
        bearer(await harness.staffToken()),
        env,
        ctx,
      );
      const served = await digestOf(response.body ?? new ReadableStream());
      await waitOnExecutionContext(ctx);
      expect(served.bytes).toBe(total);

      const { manifest, completed, keys } = await readRecording(
        response.headers.get('x-request-id') ?? '',
      );
      expect(manifest).toMatchObject({
        status: 'complete',
        body: { size: total, sha256: served.sha256, parts: Math.ceil(total / DEFAULT_PART_SIZE) },
      });
      expect(completed).toMatchObject({ sha256: served.sha256, bytes: total });
      const stored = await env.RECORDINGS.get(keys.body);
      expect(stored?.size).toBe(total);
      expect(await digestOf(stored?.body ?? new ReadableStream())).toEqual(served);
    },
  );
});
