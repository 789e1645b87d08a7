// The D1 side of tamper evidence: reading rows and checkpoints in seq order,
// in batches, and writing new checkpoints.
//
// Checkpointing is off the read path (cron and on demand) and is the only
// writer of audit_checkpoints; concurrent runs are harmless (unique from_seq).
// Before sealing, it verifies each row's MAC and the contiguity of seqs: a
// checkpoint never vouches for a row that was already tampered with.
import { asc, desc, gt } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { causeReason } from '../http/errors.ts';
import { auditCheckpoints } from './chain-tables.ts';
import { GENESIS_HASH, sealCheckpoint, type SealedCheckpoint } from './checkpoint-seal.ts';
import { rowMac, sameHex } from './row-mac.ts';
import { auditEvents } from './schema.ts';
import { verifyAuditLog, type SealedRow, type VerifyReport } from './verify-audit-log.ts';

const READ_BATCH = 500;
/** Rows per checkpoint: keeps `row_tags` (16 hex digits a row) well under D1's row size limit. */
export const MAX_ROWS_PER_CHECKPOINT = 5000;

export async function* sealedRows(db: D1Database, afterSeq = 0): AsyncGenerator<SealedRow> {
  const orm = drizzle(db);
  let cursor = afterSeq;
  for (;;) {
    const batch = await orm
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, cursor))
      .orderBy(asc(auditEvents.seq))
      .limit(READ_BATCH);
    for (const row of batch) yield row;
    const last = batch[batch.length - 1];
    if (last === undefined || batch.length < READ_BATCH) return;
    cursor = last.seq;
  }
}

export async function* checkpoints(db: D1Database): AsyncGenerator<SealedCheckpoint> {
  const orm = drizzle(db);
  let cursor = 0;
  for (;;) {
    const batch = await orm
      .select()
      .from(auditCheckpoints)
      .where(gt(auditCheckpoints.seq, cursor))
      .orderBy(asc(auditCheckpoints.seq))
      .limit(50);
    for (const checkpoint of batch) yield checkpoint;
    const last = batch[batch.length - 1];
    if (last === undefined || batch.length < 50) return;
    cursor = last.seq;
  }
}

export function verifyD1AuditLog(db: D1Database, key: CryptoKey): Promise<VerifyReport> {
  return verifyAuditLog(key, sealedRows(db), checkpoints(db));
}

const sealedRangeSchema = z.object({
  fromSeq: z.number().int(),
  upToSeq: z.number().int(),
  hash: z.string(),
});

/** What a checkpoint run did (exported: the OpenAPI document is generated from it). */
export const checkpointResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sealed'), checkpoints: z.array(sealedRangeSchema) }),
  z.object({
    kind: z.literal('refused'),
    seq: z.number().int().meta({ description: 'The row that could not be sealed.' }),
    reason: z.string(),
    sealed: z.array(sealedRangeSchema).meta({ description: 'Checkpoints written before it.' }),
  }),
]);
export type CheckpointResult = z.infer<typeof checkpointResultSchema>;

/** Seals every row not yet under a checkpoint, up to `maxCheckpoints` checkpoints. */
export async function writeCheckpoints(
  db: D1Database,
  key: CryptoKey,
  now: () => number,
  options: { maxRowsPerCheckpoint?: number; maxCheckpoints?: number } = {},
): Promise<CheckpointResult> {
  const orm = drizzle(db);
  const maxRows = options.maxRowsPerCheckpoint ?? MAX_ROWS_PER_CHECKPOINT;
  const sealed: { fromSeq: number; upToSeq: number; hash: string }[] = [];
  for (let n = 0; n < (options.maxCheckpoints ?? 20); n++) {
    const [last] = await orm
      .select()
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.seq))
      .limit(1);
    const from = (last?.upToSeq ?? 0) + 1;
    const refs: { seq: number; mac: string }[] = [];
    for await (const row of sealedRows(db, from - 1)) {
      const expected = from + refs.length;
      if (row.seq !== expected) {
        return { kind: 'refused', seq: expected, reason: 'rows are missing', sealed };
      }
      if (row.mac === null || !sameHex(await rowMac(key, row), row.mac)) {
        return { kind: 'refused', seq: row.seq, reason: 'the row MAC does not verify', sealed };
      }
      refs.push({ seq: row.seq, mac: row.mac });
      if (refs.length >= maxRows) break;
    }
    if (refs.length === 0) break;
    const checkpoint = await sealCheckpoint(key, refs, last?.hash ?? GENESIS_HASH, now());
    try {
      await orm.insert(auditCheckpoints).values(checkpoint);
    } catch (error) {
      // Another run sealed this range first (unique from_seq); its checkpoint stands.
      console.warn(
        `audit checkpoint from ${checkpoint.fromSeq} not written: ${causeReason(error)}`,
      );
      break;
    }
    // An external anchor: Workers Logs keep the hash outside D1 (TAMPER-EVIDENCE.md).
    console.log(
      `audit checkpoint ${checkpoint.fromSeq}..${checkpoint.upToSeq} hash=${checkpoint.hash}`,
    );
    sealed.push({
      fromSeq: checkpoint.fromSeq,
      upToSeq: checkpoint.upToSeq,
      hash: checkpoint.hash,
    });
    if (refs.length < maxRows) break;
  }
  return { kind: 'sealed', checkpoints: sealed };
}
