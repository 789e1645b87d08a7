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
//   - an exception checkpoint's rows are as they were acknowledged:
//     a missing range still empty                                  misplaced
//     a bad row unchanged since                                    altered
// Acknowledged exceptions do not fail the check; the report lists them.
import { z } from 'zod';
import {
  canonicalCheckpoint,
  chainHash,
  exceptionSchema,
  foundHash,
  GENESIS_HASH,
  rowTag,
  TAG_LENGTH,
  type Exception,
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
    exceptions: z
      .array(exceptionSchema.extend({ fromSeq: z.number().int(), upToSeq: z.number().int() }))
      .meta({
        description:
          'Bad rows an auditor acknowledged so that sealing could go on; each still as acknowledged.',
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
  const exceptions: (Exception & { fromSeq: number; upToSeq: number })[] = [];
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

  /** The current checkpoint is done: the next one must follow it. */
  const closeCheckpoint = async (checkpoint: SealedCheckpoint): Promise<VerifyReport | null> => {
    prevHash = checkpoint.hash;
    sealedUpTo = checkpoint.upToSeq;
    return nextCheckpoint();
  };

  const firstProblem = await nextCheckpoint();
  if (firstProblem !== null) return firstProblem;

  rows: for await (const row of rows) {
    // Acknowledged bad ranges that start here (checked well-formed by checkpointProblem).
    while (current !== undefined && current.exception !== null && current.fromSeq === expected) {
      const checkpoint = current;
      const exception = exceptionSchema.parse(JSON.parse(checkpoint.exception ?? ''));
      const range = `checkpoint ${checkpoint.fromSeq}..${checkpoint.upToSeq}`;
      if (exception.reason === 'missing_rows') {
        if (row.seq <= checkpoint.upToSeq) {
          return fail(row.seq, 'misplaced', `a row where ${range} acknowledged rows as missing`);
        }
        if (!sameHex(await foundHash([]), checkpoint.chainHash)) {
          return fail(
            checkpoint.fromSeq,
            'chain_mismatch',
            `${range} does not seal an empty range`,
          );
        }
        exceptions.push({ ...exception, fromSeq: checkpoint.fromSeq, upToSeq: checkpoint.upToSeq });
        const problem = await closeCheckpoint(checkpoint);
        if (problem !== null) return problem;
        expected = checkpoint.upToSeq + 1;
        continue;
      }
      // One bad row, acknowledged as found. Deleted since: missing_rows below.
      if (row.seq !== expected) break;
      if (!sameHex(await foundHash([row]), checkpoint.chainHash)) {
        return fail(row.seq, 'altered', `the row changed after ${range} acknowledged it as bad`);
      }
      exceptions.push({ ...exception, fromSeq: checkpoint.fromSeq, upToSeq: checkpoint.upToSeq });
      const problem = await closeCheckpoint(checkpoint);
      if (problem !== null) return problem;
      verified++;
      expected++;
      continue rows;
    }
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
        sealedRows = [];
        const problem = await closeCheckpoint(current);
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
    unsealedRows: expected - 1 - sealedUpTo,
    exceptions,
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
    checkpoint.rowTags.length !==
      (checkpoint.exception === null ? checkpoint.rowCount * TAG_LENGTH : 0)
  ) {
    return `${range} is malformed`;
  }
  if (checkpoint.exception !== null) {
    let exception: Exception;
    try {
      exception = exceptionSchema.parse(JSON.parse(checkpoint.exception));
    } catch {
      return `${range} has a malformed exception`;
    }
    if (exception.reason !== 'missing_rows' && checkpoint.rowCount !== 1) {
      return `${range} is malformed`;
    }
  }
  const canonical = canonicalCheckpoint(checkpoint);
  const [hash, mac] = await Promise.all([sha256Hex(canonical), hmacHex(key, canonical)]);
  if (!sameHex(mac, checkpoint.mac)) return `${range} has an invalid MAC`;
  if (!sameHex(hash, checkpoint.hash)) return `${range} has a wrong hash`;
  return null;
}
