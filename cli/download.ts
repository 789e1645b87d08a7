// Copies a streamed body to stdout or to a file (atomically), reporting bytes
// to the display as they pass. Nothing is buffered beyond one chunk: a trace
// of any size goes through in constant memory, with backpressure from the
// destination.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createAtomicFile } from './atomic-file.ts';
import type { Display } from './terminal/display.ts';

export interface DownloadResult {
  bytes: number;
}

/** Thrown when the body broke off; `bytes` is how much had arrived. */
export class DownloadBroken extends Error {
  readonly bytes: number;
  constructor(bytes: number, cause: unknown) {
    super(`the connection broke after ${bytes} bytes`, { cause });
    this.name = 'DownloadBroken';
    this.bytes = bytes;
  }
}

export async function download(
  body: ReadableStream<Uint8Array>,
  target: { file: string } | { stream: NodeJS.WritableStream },
  display: Display,
  totalBytes: number | undefined,
  signal: AbortSignal,
): Promise<DownloadResult> {
  display.downloadStarted(totalBytes);
  if ('stream' in target) {
    const bytes = await copy(body, target.stream as Writable, display, signal);
    display.downloadFinished(bytes, 'stdout');
    return { bytes };
  }
  const file = await createAtomicFile(target.file);
  try {
    const bytes = await copy(body, file.stream, display, signal);
    await new Promise<void>((resolve, reject) =>
      file.stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    await file.commit();
    display.downloadFinished(bytes, target.file);
    return { bytes };
  } catch (error) {
    await file.discard();
    throw error;
  }
}

async function copy(
  body: ReadableStream<Uint8Array>,
  destination: Writable,
  display: Display,
  signal: AbortSignal,
): Promise<number> {
  const reader = body.getReader();
  let bytes = 0;
  const onAbort = (): void => {
    reader.cancel(signal.reason).catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw new DownloadBroken(bytes, error);
      }
      if (signal.aborted) throw signal.reason;
      if (chunk.done) break;
      bytes += chunk.value.byteLength;
      display.downloaded(bytes);
      if (!destination.write(chunk.value)) await once(destination, 'drain', { signal });
    }
    return bytes;
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
