// Step 8 of the request path: tee the served bytes into R2 while the caller
// reads them, with memory bounded by one upload part.
//
// Pull-based with no internal queue (highWaterMark 0), like observe-stream:
// a chunk is read from the source only when the caller asks for one; it is
// handed to the caller first, then hashed and copied into the part buffer;
// when the buffer is full the pull waits for the part upload before it
// returns, so the next chunk is not read until R2 has the previous part.
// Backpressure therefore flows both ways: a slow caller slows the reads from
// the store, a slow R2 slows the caller, and neither side can run more than
// one part ahead of the other.
//
// However the stream ends, the recording is finished as far as it went:
//   source done             → complete
//   source error / cancel   → truncated (the bytes served so far are kept)
//   R2 error                → failed (the upload is aborted); the caller keeps
//                             reading unless the namespace requires a
//                             recording, in which case the response is ended
//                             with an error. A body smaller than one part is
//                             stored at the end, after its last byte went out:
//                             then a required recording ends the response
//                             with an error instead of a clean close (the
//                             caller cannot treat it as a complete read).
// The SHA-256 is always of the bytes handed to the caller.
import { GatewayError, causeReason } from '../http/errors.ts';
import type { PartWriter } from './part-writer.ts';

export interface RecordedBody {
  status: 'complete' | 'truncated' | 'failed';
  /** Why the recording is not complete; null when it is. */
  reason: string | null;
  /** Bytes handed to the caller. */
  bytes: number;
  /** Lowercase hex SHA-256 of those bytes (null only if hashing itself failed). */
  sha256: string | null;
  /** True when the body object in R2 holds exactly those bytes. */
  stored: boolean;
  parts: number;
}

export interface BodySink {
  writer: PartWriter;
  /** Discards the multipart upload, if one was started (after a failure). */
  abort(): Promise<void>;
  /** Stores a zero-byte body (multipart uploads need at least one part). */
  putEmpty(): Promise<void>;
}

export interface RecordStreamOptions {
  /** End the caller's response when R2 fails mid-stream (namespace requires recording). */
  required: boolean;
}

export function recordStream(
  source: ReadableStream<Uint8Array>,
  sink: BodySink,
  options: RecordStreamOptions,
): { stream: ReadableStream<Uint8Array>; recorded: Promise<RecordedBody> } {
  const reader = source.getReader();
  const digest = new crypto.DigestStream('SHA-256');
  const hash = digest.getWriter();
  let bytes = 0;
  let storeError: unknown;
  let ended = false;
  /** The current chunk's hashing and upload; finishing waits for it. */
  let inflight: Promise<void> = Promise.resolve();

  let resolveRecorded: (value: Promise<RecordedBody>) => void = () => undefined;
  const recorded = new Promise<RecordedBody>((resolve) => {
    resolveRecorded = resolve;
  });

  const finish = (ending: 'complete' | 'truncated', reason: string | null): void => {
    if (ended) return;
    ended = true;
    resolveRecorded(settle(ending, reason));
  };

  const settle = async (
    ending: 'complete' | 'truncated',
    reason: string | null,
  ): Promise<RecordedBody> => {
    await inflight;
    let sha256: string | null = null;
    try {
      await hash.close();
      sha256 = hex(await digest.digest);
    } catch (error) {
      // Without a digest the recording cannot be vouched for.
      storeError ??= error;
    }
    const base = { bytes, sha256, parts: sink.writer.parts };
    if (storeError === undefined) {
      try {
        const wrote = await sink.writer.finish();
        if (!wrote) {
          await sink.abort();
          await sink.putEmpty();
        }
        return { ...base, status: ending, reason, stored: true, parts: sink.writer.parts };
      } catch (error) {
        storeError = error;
      }
    }
    await sink.abort().catch(() => undefined);
    const why = `R2 upload failed: ${causeReason(storeError)}`;
    return {
      ...base,
      status: 'failed',
      reason: reason === null ? why : `${reason}; ${why}`,
      stored: false,
    };
  };

  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          finish('truncated', `stream failed: ${causeReason(error)}`);
          controller.error(error);
          return;
        }
        if (result.done) {
          finish('complete', null);
          if (options.required) {
            const outcome = await recorded;
            if (outcome.status === 'failed') {
              controller.error(
                new GatewayError('recording_unavailable', {
                  cause: new Error(outcome.reason ?? 'the recording failed'),
                }),
              );
              return;
            }
          }
          controller.close();
          return;
        }
        const chunk = result.value;
        if (ended) return;
        controller.enqueue(chunk);
        bytes += chunk.byteLength;
        const work = (async () => {
          await hash.write(chunk);
          if (storeError !== undefined) return;
          try {
            await sink.writer.write(chunk);
          } catch (error) {
            storeError = error;
          }
        })();
        inflight = work;
        await work;
        if (storeError !== undefined && options.required && !ended) {
          // Serving on without a recording would break the namespace's rule.
          const failure = new GatewayError('recording_unavailable', { cause: storeError });
          finish('truncated', 'the recording failed mid-stream');
          controller.error(failure);
          await reader.cancel(failure).catch(() => undefined);
        }
      },
      async cancel(reason) {
        finish('truncated', 'client disconnected before the end');
        await reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, recorded };
}

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}
