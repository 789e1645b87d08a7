// Verifies the audit log against its MACs and checkpoints and names the first
// bad row (TAMPER-EVIDENCE.md). Pure and runtime-agnostic: rows and
// checkpoints arrive as async iterables in seq order, from D1 in the Worker
// or from `wrangler d1 execute` in scripts/audit-verify.ts. Memory holds one
// checkpoint's rows at most.
//
// Checks, in seq order, stopping at the first failure:
//   - seqs are contiguous from 1 (a gap is a deleted row)          missing_rows
//   - each row has a MAC and it matches the row's content          unsigned / altered
//   - checkpoints follow each other: from_seq = previous up_to_seq
//     + 1, prev_hash = previous hash, hash and MAC recomputed        checkpoint_invalid
//   - inside a checkpoint, each row's MAC tag is the one sealed at
//     that position (a row moved, swapped or copied)               misplaced
//   - the chain hash and count of the checkpoint's rows            chain_mismatch
//   - no checkpoint seals rows that are no longer there            missing_rows
import { z } from 'zod';
import {
  canonicalCheckpoint,
  chainHash,
  GENESIS_HASH,
  rowTag,
  TAG_LENGTH,
  type SealedCheckpoint,
  type SealedRowRef,
} from './checkpoint-seal.ts';
import { hmacHex, rowMac, sameHex, sha256Hex, type MacContent } from './row-mac.ts';

export type SealedRow = MacContent & { seq: number; mac: string | null };

export const tamperReasonSchema = z.enum([
  'missing_rows',
  'unsigned',
  'altered',
  'misplaced',
  'chain_mismatch',
  'checkpoint_invalid',
]);
export type TamperReason = z.infer<typeof tamperReasonSchema>;

/** The report (exported: the OpenAPI document is generated from it). */
export const verifyReportSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    rows: z.number().int(),
    checkpoints: z.number().int(),
    sealedUpToSeq: z
      .number()
      .int()
      .meta({ description: 'Highest seq sealed by a checkpoint (0: none).' }),
    unsealedRows: z.number().int().meta({
      description: 'Rows after the last checkpoint: protected by MACs and contiguity only.',
    }),
  }),
  z.object({
    ok: z.literal(false),
    seq: z.number().int().meta({ description: 'The first bad seq.' }),
    reason: tamperReasonSchema,
    detail: z.string(),
    rows: z.number().int().meta({ description: 'Rows that verified before the first bad one.' }),
  }),
]);
export type VerifyReport = z.infer<typeof verifyReportSchema>;

export async function verifyAuditLog(
  key: CryptoKey,
  rows: AsyncIterable<SealedRow>,
  checkpoints: AsyncIterable<SealedCheckpoint>,
): Promise<VerifyReport> {
  const pending = checkpoints[Symbol.asyncIterator]();
  let current: SealedCheckpoint | undefined;
  let sealedRows: SealedRowRef[] = [];
  let prevHash = GENESIS_HASH;
  let sealedUpTo = 0;
  let checkpointCount = 0;
  let expected = 1;
  let verified = 0;
  const fail = (seq: number, reason: TamperReason, detail: string): VerifyReport => ({
    ok: false,
    seq,
    reason,
    detail,
    rows: verified,
  });

  /** Loads and checks the next checkpoint; a failure report, or null. */
  const nextCheckpoint = async (): Promise<VerifyReport | null> => {
    const step = await pending.next();
    current = step.done === true ? undefined : step.value;
    if (current === undefined) return null;
    const problem = await checkpointProblem(key, current, prevHash, sealedUpTo);
    if (problem !== null) return fail(sealedUpTo + 1, 'checkpoint_invalid', problem);
    checkpointCount++;
    return null;
  };

  const firstProblem = await nextCheckpoint();
  if (firstProblem !== null) return firstProblem;

  for await (const row of rows) {
    if (row.seq !== expected) {
      const missing = row.seq - expected;
      return fail(expected, 'missing_rows', `${missing} row(s) missing before seq ${row.seq}`);
    }
    if (row.mac === null || row.mac === '') {
      return fail(row.seq, 'unsigned', 'the row has no MAC');
    }
    if (!sameHex(await rowMac(key, row), row.mac)) {
      return fail(row.seq, 'altered', 'the MAC does not match the row content');
    }
    if (current !== undefined && row.seq >= current.fromSeq && row.seq <= current.upToSeq) {
      const position = row.seq - current.fromSeq;
      const sealedTag = current.rowTags.slice(position * TAG_LENGTH, (position + 1) * TAG_LENGTH);
      if (sealedTag !== rowTag(row.mac)) {
        return fail(
          row.seq,
          'misplaced',
          `checkpoint ${current.fromSeq}..${current.upToSeq} sealed another row at this position`,
        );
      }
      sealedRows.push({ seq: row.seq, mac: row.mac });
      if (row.seq === current.upToSeq) {
        if (!sameHex(await chainHash(sealedRows), current.chainHash)) {
          return fail(
            current.fromSeq,
            'chain_mismatch',
            `rows ${current.fromSeq}..${current.upToSeq} differ from their checkpoint`,
          );
        }
        prevHash = current.hash;
        sealedUpTo = current.upToSeq;
        sealedRows = [];
        const problem = await nextCheckpoint();
        if (problem !== null) return problem;
      }
    }
    verified++;
    expected++;
  }

  if (current !== undefined) {
    // A checkpoint seals rows that are gone: the tail was deleted.
    return fail(
      expected,
      'missing_rows',
      `checkpoint ${current.fromSeq}..${current.upToSeq} seals rows that are missing`,
    );
  }
  return {
    ok: true,
    rows: verified,
    checkpoints: checkpointCount,
    sealedUpToSeq: sealedUpTo,
    unsealedRows: verified - sealedUpTo,
  };
}

async function checkpointProblem(
  key: CryptoKey,
  checkpoint: SealedCheckpoint,
  prevHash: string,
  sealedUpTo: number,
): Promise<string | null> {
  const range = `checkpoint ${checkpoint.fromSeq}..${checkpoint.upToSeq}`;
  if (checkpoint.fromSeq !== sealedUpTo + 1) {
    return `${range} does not follow the previous checkpoint (which ends at ${sealedUpTo})`;
  }
  if (checkpoint.prevHash !== prevHash) return `${range} does not link to the previous checkpoint`;
  if (
    checkpoint.upToSeq < checkpoint.fromSeq ||
    checkpoint.rowCount !== checkpoint.upToSeq - checkpoint.fromSeq + 1 ||
    checkpoint.rowTags.length !== checkpoint.rowCount * TAG_LENGTH
  ) {
    return `${range} is malformed`;
  }
  const canonical = canonicalCheckpoint(checkpoint);
  const [hash, mac] = await Promise.all([sha256Hex(canonical), hmacHex(key, canonical)]);
  if (!sameHex(mac, checkpoint.mac)) return `${range} has an invalid MAC`;
  if (!sameHex(hash, checkpoint.hash)) return `${range} has a wrong hash`;
  return null;
}
