// Recording when something breaks: an upstream reset or a client disconnect
// leaves a truncated recording and says so in the audit; R2 failing at the
// start refuses a read that requires a recording (before any byte) and
// serves one that does not, with the audit saying the recording is missing.
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
  chunkedResponse,
  createHarness,
  send,
  sha256Hex,
  type Harness,
} from './recording-harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await createHarness();
});

const encoder = new TextEncoder();

/** A store response that sends `first`, then drops the connection. */
function resetAfter(first: string): Response {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(first));
      },
      pull(controller) {
        if (controller.desiredSize !== null && controller.desiredSize > 0) {
          controller.error(new Error('connection reset'));
        }
      },
    }),
    { headers: { 'content-type': 'application/json' } },
  );
}

async function recordingOf(requestId: string) {
  const rows = await auditRows(requestId);
  const last = rows[rows.length - 1];
  const key = last?.recording_key;
  if (typeof key !== 'string') return { rows, last, manifest: null, body: null };
  const keys = keysForPrefix(key);
  const manifest = parseManifest((await (await env.RECORDINGS.get(keys.manifest))?.text()) ?? '');
  const body = await env.RECORDINGS.get(keys.body);
  return {
    rows,
    last,
    manifest,
    body: body === null ? null : new Uint8Array(await body.arrayBuffer()),
  };
}

/**
 * A read of the `strict` namespace (recording required) with `recordings`
 * as its bucket: the caller's body must end in an error, and the audit and
 * the manifest must say the recording failed. Returns the last audit row.
 */
async function requiredReadEndsInError(upstreamBody: BodyInit, recordings: R2Bucket) {
  const ctx = createExecutionContext();
  const response = await appFor(harness, {
    upstream: async () => new Response(upstreamBody),
  }).request(
    'https://gateway.test/strict/traces/t1',
    bearer(await harness.staffToken()),
    { ...env, RECORDINGS: recordings },
    ctx,
  );
  await expect(response.arrayBuffer()).rejects.toThrow();
  await waitOnExecutionContext(ctx);
  const { last, manifest } = await recordingOf(response.headers.get('x-request-id') ?? '');
  expect(last).toMatchObject({
    event: 'failed',
    reason: expect.stringContaining('recording_unavailable'),
  });
  expect(manifest).toMatchObject({ status: 'failed', body: { stored: false } });
  return last;
}

const r2Down = () => {
  throw new Error('R2 is down');
};
const brokenBucket = bucketWith({
  createMultipartUpload: async () => r2Down(),
  put: async () => r2Down(),
});

describe('an interrupted stream', () => {
  it('upstream reset mid-stream: the recording is truncated and kept, the audit says so', async () => {
    const ctx = createExecutionContext();
    const response = await appFor(harness, {
      upstream: async () => resetAfter('{"partial":'),
    }).request('https://gateway.test/lf/traces/t1', bearer(await harness.staffToken()), env, ctx);
    await expect(response.text()).rejects.toThrow();
    await waitOnExecutionContext(ctx);
    const { rows, last, manifest, body } = await recordingOf(
      response.headers.get('x-request-id') ?? '',
    );
    expect(rows.map((r) => r.event)).toEqual(['decision', 'failed']);
    expect(last).toMatchObject({
      bytes: 11,
      sha256: await sha256Hex(encoder.encode('{"partial":')),
      reason: expect.stringMatching(/^stream failed: .*connection reset.*; recording truncated$/),
    });
    expect(manifest).toMatchObject({
      status: 'truncated',
      statusReason: expect.stringContaining('connection reset'),
      body: { stored: true, size: 11 },
    });
    expect(new TextDecoder().decode(body ?? new Uint8Array())).toBe('{"partial":');
  });

  it('client disconnect: the recording holds what was served and is marked truncated', async () => {
    const ctx = createExecutionContext();
    const response = await appFor(harness, {
      upstream: async () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(encoder.encode('[1,2,3,'));
            },
            // Never ends on its own: only the client's cancel stops it.
          }),
          { headers: { 'content-type': 'application/json' } },
        ),
    }).request('https://gateway.test/lf/traces/t2', bearer(await harness.staffToken()), env, ctx);
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toBe('[1,2,3,');
    await reader?.cancel('gone');
    await waitOnExecutionContext(ctx);
    const { last, manifest, body } = await recordingOf(response.headers.get('x-request-id') ?? '');
    expect(last).toMatchObject({
      event: 'failed',
      bytes: 7,
      reason: 'client disconnected before the end; recording truncated',
    });
    expect(manifest).toMatchObject({ status: 'truncated', body: { size: 7 } });
    expect(new TextDecoder().decode(body ?? new Uint8Array())).toBe('[1,2,3,');
  });
});

describe('R2 failing', () => {
  it('refuses a read that requires a recording with 503, before any byte and with the store body cancelled', async () => {
    let cancelled = false;
    const { response, text } = await send(harness, '/strict/traces/t1', {
      init: bearer(await harness.staffToken()),
      env: { RECORDINGS: brokenBucket },
      upstream: async () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(encoder.encode('{"secret":"TOP-SECRET-TRACE"}'));
            },
            cancel() {
              cancelled = true;
            },
          }),
        ),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(text)).toMatchObject({ code: 'recording_unavailable' });
    expect(text).not.toContain('TOP-SECRET-TRACE');
    expect(text).not.toContain('R2 is down');
    expect(cancelled).toBe(true);
    const rows = await auditRows(response.headers.get('x-request-id') ?? '');
    expect(rows.map((r) => r.event)).toEqual(['decision', 'failed']);
    expect(rows[1]).toMatchObject({
      reason: expect.stringMatching(/^recording unavailable: .*R2 is down/),
    });
  });

  it('serves a read whose namespace does not require a recording, and the audit says it is missing', async () => {
    const { response, text } = await send(harness, '/lf/traces/t1', {
      init: bearer(await harness.staffToken()),
      env: { RECORDINGS: brokenBucket },
      upstream: async () => chunkedResponse(['{"ok":', 'true}'], 'application/json'),
    });
    expect(response.status).toBe(200);
    expect(text).toBe('{"ok":true}');
    const sessionId = response.headers.get('x-request-id') ?? '';
    const rows = await auditRows(sessionId);
    expect(rows[1]).toMatchObject({
      event: 'completed',
      session_id: sessionId,
      recording_key: null,
      reason: expect.stringMatching(/^recording missing: R2 refused the recording: .*R2 is down/),
    });
  });

  it('a part upload failing mid-stream: an optional recording is marked failed and the read completes', async () => {
    const total = DEFAULT_PART_SIZE + 1000;
    const failingParts = bucketWith({
      createMultipartUpload: async (key, options) => {
        const upload = await env.RECORDINGS.createMultipartUpload(key, options);
        return {
          key: upload.key,
          uploadId: upload.uploadId,
          uploadPart: async () => r2Down(),
          abort: () => upload.abort(),
          complete: (parts: R2UploadedPart[]) => upload.complete(parts),
        };
      },
    });
    const { response, bytes } = await send(harness, '/lf/traces/t9', {
      init: bearer(await harness.staffToken()),
      env: { RECORDINGS: failingParts },
      upstream: async () => new Response(new Uint8Array(total)),
    });
    expect(response.status).toBe(200);
    expect(bytes.byteLength).toBe(total);
    const { last, manifest, body } = await recordingOf(response.headers.get('x-request-id') ?? '');
    expect(last).toMatchObject({
      event: 'completed',
      bytes: total,
      reason: expect.stringMatching(/^recording failed: R2 upload failed: R2 is down/),
    });
    expect(manifest).toMatchObject({ status: 'failed', body: { stored: false, size: total } });
    expect(body).toBeNull();
  });

  it('a part upload failing mid-stream ends the response when the namespace requires a recording', async () => {
    const total = 2 * DEFAULT_PART_SIZE;
    const failingParts = bucketWith({
      createMultipartUpload: async (key, options) => {
        const upload = await env.RECORDINGS.createMultipartUpload(key, options);
        return {
          ...upload,
          key: upload.key,
          uploadId: upload.uploadId,
          uploadPart: async () => r2Down(),
          abort: () => upload.abort(),
          complete: (p: R2UploadedPart[]) => upload.complete(p),
        };
      },
    });
    const last = await requiredReadEndsInError(new Uint8Array(total), failingParts);
    expect(Number(last?.bytes)).toBeLessThan(total);
  });

  it('a small body whose single put fails at the end: a required recording ends the response with an error', async () => {
    // Smaller than a part, the body is stored after its last byte went out:
    // the caller must not see a clean end of a read that has no recording.
    const failingBodyPut = bucketWith({
      put: (async (key: string, ...rest: unknown[]) => {
        if (key.endsWith('/body')) r2Down();
        return (env.RECORDINGS.put as (...args: unknown[]) => unknown)(key, ...rest);
      }) as R2Bucket['put'],
    });
    await requiredReadEndsInError('{"small":"trace"}', failingBodyPut);
  });
});
