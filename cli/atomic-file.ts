// Writes a download to a file all at once or not at all.
//
// The bytes go to a temporary file beside the target (same directory, so the
// final rename(2) is atomic on the same filesystem), which is flushed and
// renamed over the target only after the last byte arrived. Any failure —
// the gateway breaking the stream, a masking failure, Ctrl-C — removes the
// temporary file: a reader of the target never sees half a trace. The file is
// created 0600: traces are sensitive.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';

export interface AtomicFile {
  /** Where the bytes go until `commit`. */
  readonly stream: Writable;
  readonly tempPath: string;
  /** Flushes and renames into place. */
  commit(): Promise<void>;
  /** Removes the temporary file; safe to call more than once, or after commit. */
  discard(): Promise<void>;
}

export async function createAtomicFile(target: string): Promise<AtomicFile> {
  const tempPath = join(
    dirname(target),
    `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`,
  );
  const handle: FileHandle = await open(tempPath, 'wx', 0o600);
  let settled = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      handle.write(chunk).then(() => callback(), callback);
    },
    writev(chunks, callback) {
      handle.writev(chunks.map((c) => c.chunk as Buffer)).then(() => callback(), callback);
    },
  });
  return {
    stream,
    tempPath,
    async commit() {
      await handle.sync();
      await handle.close();
      await rename(tempPath, target);
      settled = true;
    },
    async discard() {
      if (settled) return;
      settled = true;
      await handle.close().catch(() => undefined);
      await unlink(tempPath).catch(() => undefined);
    },
  };
}
