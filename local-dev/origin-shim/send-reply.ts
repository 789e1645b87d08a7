// Writes a shim reply to the socket: chunk by chunk with backpressure (memory
// stays bounded whatever the body size), stopping as soon as the client goes
// away, and applying the requested faults on the way out.
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import type { Faults } from './faults.ts';

export interface ShimReply {
  status: number;
  headers: Record<string, string>;
  /** Body chunks; a generator is closed early when the client disconnects. */
  body: Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>;
}

export function jsonReply(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): ShimReply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: [JSON.stringify(value)],
  };
}

/** Sends `reply` and resolves with the number of body bytes written. */
export async function sendReply(
  res: ServerResponse,
  reply: ShimReply,
  faults: Faults,
): Promise<number> {
  const effective = faults.status === undefined ? reply : faultStatusReply(faults.status);
  if (faults.delayMs !== undefined && faults.delayMs > 0) {
    await sleep(faults.delayMs);
    if (res.destroyed) return 0;
  }
  const gzip = faults.gzip === true && effective.status !== 204 && effective.status !== 304;
  res.writeHead(effective.status, {
    'cache-control': 'no-store',
    ...effective.headers,
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  if (faults.resetAfterBytes === 0) {
    res.flushHeaders();
    await destroyAfterFlush(res);
    return 0;
  }

  let written = 0;
  const body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> = gzip
    ? Readable.from(effective.body).pipe(createGzip())
    : effective.body;
  for await (const part of body) {
    const chunk = typeof part === 'string' ? Buffer.from(part) : part;
    for (const piece of slices(chunk, faults.slow?.bytesPerTick)) {
      if (res.destroyed) return written;
      const limit = faults.resetAfterBytes;
      if (limit !== undefined && written + piece.byteLength >= limit) {
        const last = piece.subarray(0, limit - written);
        written += last.byteLength;
        res.write(last);
        await destroyAfterFlush(res);
        return written;
      }
      written += piece.byteLength;
      if (!res.write(piece)) await drainedOrClosed(res);
      if (faults.slow !== undefined) await sleep(faults.slow.tickMs);
    }
  }
  if (!res.destroyed) res.end();
  return written;
}

function faultStatusReply(status: number): ShimReply {
  if (status === 204 || status === 304) return { status, headers: {}, body: [] };
  const retry: Record<string, string> =
    status === 429 || status === 503 ? { 'retry-after': '1' } : {};
  return jsonReply(status, { error: 'injected_fault', status }, retry);
}

function* slices(chunk: Uint8Array, size: number | undefined): Generator<Uint8Array> {
  if (size === undefined || chunk.byteLength <= size) {
    yield chunk;
    return;
  }
  for (let offset = 0; offset < chunk.byteLength; offset += size) {
    yield chunk.subarray(offset, offset + size);
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Lets the bytes already written reach the client, then closes the TCP
 * connection without ending the chunked body: the client sees a truncated
 * response, as when a store crashes mid-stream.
 */
function destroyAfterFlush(res: ServerResponse): Promise<void> {
  const socket = res.socket;
  if (socket === null || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.write('', () => {
      socket.destroy();
      resolve();
    });
  });
}
