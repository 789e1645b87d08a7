// Tamper evidence, part 2: the content of a checkpoint and how it is sealed.
// Pure and runtime-agnostic (WebCrypto only): the Worker seals with it, the
// verifier (in the Worker and in `npm run audit:verify`) recomputes with it.
//
// An exception checkpoint seals a range of bad rows (missing, unsigned or
// altered) that an auditor acknowledged, so sealing goes on after them. Its
// chain hash binds those rows exactly as they were found: a missing range
// must stay empty, a bad row must not change again.
import { z } from 'zod';
import { canonicalRow, hmacHex, sha256Hex, type MacContent } from './row-mac.ts';

export const CHECKPOINT_VERSION = 'tracegate-audit-checkpoint-v1';
export const EXCEPTION_VERSION = 'tracegate-audit-exception-v1';
export const GENESIS_HASH = '0'.repeat(64);
/** Hex digits of each row MAC kept in `row_tags`. */
export const TAG_LENGTH = 16;

export interface SealedRowRef {
  seq: number;
  mac: string;
}

export interface CheckpointContent {
  fromSeq: number;
  upToSeq: number;
  rowCount: number;
  chainHash: string;
  rowTags: string;
  prevHash: string;
  createdAt: number;
  /** Null for good rows; the JSON of an Exception for an acknowledged bad range. */
  exception: string | null;
}

export const exceptionSchema = z.strictObject({
  reason: z.enum(['missing_rows', 'unsigned', 'altered']),
  /** Why the auditor let sealing go on (their finding, a ticket). */
  note: z.string(),
  /** Who acknowledged it: `issuer subject`. */
  by: z.string(),
});
export type Exception = z.infer<typeof exceptionSchema>;

/** A row as found, for an exception checkpoint: everything, its seq and MAC included. */
export type FoundRow = MacContent & { seq: number; mac: string | null };

export interface SealedCheckpoint extends CheckpointContent {
  hash: string;
  mac: string;
}

/** A version label, the content in a fixed order, and for an exception its JSON last. */
export function canonicalCheckpoint(content: CheckpointContent): string {
  const fields = [
    content.fromSeq,
    content.upToSeq,
    content.rowCount,
    content.chainHash,
    content.rowTags,
    content.prevHash,
    content.createdAt,
  ];
  return JSON.stringify(
    content.exception === null
      ? [CHECKPOINT_VERSION, ...fields]
      : [EXCEPTION_VERSION, ...fields, content.exception],
  );
}

/** The content with its hash and its MAC under `key`. */
async function seal(key: CryptoKey, content: CheckpointContent): Promise<SealedCheckpoint> {
  const canonical = canonicalCheckpoint(content);
  const [hash, mac] = await Promise.all([sha256Hex(canonical), hmacHex(key, canonical)]);
  return { ...content, hash, mac };
}

/** SHA-256 over "seq:mac\n" of each row, in the order given (seq order). */
export function chainHash(rows: readonly SealedRowRef[]): Promise<string> {
  return sha256Hex(rows.map((row) => `${row.seq}:${row.mac}\n`).join(''));
}

export function rowTag(mac: string): string {
  return mac.slice(0, TAG_LENGTH);
}

/** SHA-256 over the rows of an exception range as found (none for missing rows). */
export function foundHash(rows: readonly FoundRow[]): Promise<string> {
  return sha256Hex(
    rows.map((row) => `${row.seq}:${row.mac ?? ''}:${canonicalRow(row)}\n`).join(''),
  );
}

/** Seals `fromSeq..upToSeq` as found (`rows`: what is there of it) under an acknowledged exception. */
export async function sealException(
  key: CryptoKey,
  range: { fromSeq: number; upToSeq: number; rows: readonly FoundRow[] },
  exception: Exception,
  prevHash: string,
  createdAt: number,
): Promise<SealedCheckpoint> {
  if (range.upToSeq < range.fromSeq) throw new TypeError('an exception covers at least one seq');
  const content: CheckpointContent = {
    fromSeq: range.fromSeq,
    upToSeq: range.upToSeq,
    rowCount: range.upToSeq - range.fromSeq + 1,
    chainHash: await foundHash(range.rows),
    rowTags: '',
    prevHash,
    createdAt,
    exception: JSON.stringify(exception),
  };
  return seal(key, content);
}

export async function sealCheckpoint(
  key: CryptoKey,
  rows: readonly SealedRowRef[],
  prevHash: string,
  createdAt: number,
): Promise<SealedCheckpoint> {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first === undefined || last === undefined)
    throw new TypeError('a checkpoint seals at least one row');
  const content: CheckpointContent = {
    fromSeq: first.seq,
    upToSeq: last.seq,
    rowCount: rows.length,
    chainHash: await chainHash(rows),
    rowTags: rows.map((row) => rowTag(row.mac)).join(''),
    prevHash,
    createdAt,
    exception: null,
  };
  return seal(key, content);
}
