// Tamper evidence, part 2: the content of a checkpoint and how it is sealed.
// Pure and runtime-agnostic (WebCrypto only): the Worker seals with it, the
// verifier (in the Worker and in `npm run audit:verify`) recomputes with it.
import { hmacHex, sha256Hex } from './row-mac.ts';

export const CHECKPOINT_VERSION = 'tracegate-audit-checkpoint-v1';
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
}

export interface SealedCheckpoint extends CheckpointContent {
  hash: string;
  mac: string;
}

export function canonicalCheckpoint(content: CheckpointContent): string {
  return JSON.stringify([
    CHECKPOINT_VERSION,
    content.fromSeq,
    content.upToSeq,
    content.rowCount,
    content.chainHash,
    content.rowTags,
    content.prevHash,
    content.createdAt,
  ]);
}

/** SHA-256 over "seq:mac\n" of each row, in the order given (seq order). */
export function chainHash(rows: readonly SealedRowRef[]): Promise<string> {
  return sha256Hex(rows.map((row) => `${row.seq}:${row.mac}\n`).join(''));
}

export function rowTag(mac: string): string {
  return mac.slice(0, TAG_LENGTH);
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
  };
  const canonical = canonicalCheckpoint(content);
  const [hash, mac] = await Promise.all([sha256Hex(canonical), hmacHex(key, canonical)]);
  return { ...content, hash, mac };
}
