// The D1 side of tamper evidence: reading rows and checkpoints in seq order,
// in batches, and writing new checkpoints.
//
// Checkpointing is off the read path (cron and on demand) and is the only
// writer of audit_checkpoints; concurrent runs are harmless (unique from_seq).
// Before sealing, it verifies each row's MAC and the contiguity of seqs: a
// checkpoint never vouches for a row that was already tampered with. It seals
// the good rows before a bad one and stops there, until an auditor
// acknowledges that bad range (by its first seq): then an exception
// checkpoint seals it as found, and sealing goes on.
import { asc, desc, gt } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { causeReason } from '../http/errors.ts';
import { auditCheckpoints } from './chain-tables.ts';
import {
  GENESIS_HASH,
  sealCheckpoint,
  sealException,
  type Exception,
  type FoundRow,
  type SealedCheckpoint,
} from './checkpoint-seal.ts';
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
  exception: z
    .enum(['missing_rows', 'unsigned', 'altered'])
    .optional()
    .meta({ description: 'Present when the range was sealed as an acknowledged exception.' }),
});

/** What a checkpoint run did (exported: the OpenAPI document is generated from it). */
export const checkpointResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sealed'), checkpoints: z.array(sealedRangeSchema) }),
  z.object({
    kind: z.literal('refused'),
    seq: z.number().int().meta({
      description:
        'The first seq that could not be sealed; an auditor may acknowledge it (`acknowledge.seq`).',
    }),
    reason: z.string(),
    sealed: z.array(sealedRangeSchema).meta({ description: 'Checkpoints written before it.' }),
  }),
]);
export type CheckpointResult = z.infer<typeof checkpointResultSchema>;

/** An auditor's word that the bad range starting at `seq` may be sealed as found. */
export interface Acknowledgement {
  seq: number;
  note: string;
  /** `issuer subject` of the auditor. */
  by: string;
}

/** A bad range found where sealing must stop. */
interface BadRange {
  reason: Exception['reason'];
  fromSeq: number;
  upToSeq: number;
  /** The bad row as found (none for missing rows). */
  rows: FoundRow[];
  detail: string;
}

/**
 * Seals every row not yet under a checkpoint, up to `maxCheckpoints`
 * checkpoints. Good rows before a bad range are sealed; the bad range is
 * sealed only as an exception acknowledged for its first seq, else the run
 * stops there (`refused`).
 */
export async function writeCheckpoints(
  db: D1Database,
  key: CryptoKey,
  now: () => number,
  options: {
    maxRowsPerCheckpoint?: number;
    maxCheckpoints?: number;
    acknowledge?: Acknowledgement;
  } = {},
): Promise<CheckpointResult> {
  const orm = drizzle(db);
  const maxRows = options.maxRowsPerCheckpoint ?? MAX_ROWS_PER_CHECKPOINT;
  const sealed: z.infer<typeof sealedRangeSchema>[] = [];
  let acknowledge = options.acknowledge;
  for (let n = 0; n < (options.maxCheckpoints ?? 20); n++) {
    const [last] = await orm
      .select()
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.seq))
      .limit(1);
    const from = (last?.upToSeq ?? 0) + 1;
    const prevHash = last?.hash ?? GENESIS_HASH;
    const refs: { seq: number; mac: string }[] = [];
    let bad: BadRange | null = null;
    for await (const row of sealedRows(db, from - 1)) {
      const expected = from + refs.length;
      if (row.seq !== expected) {
        bad = {
          reason: 'missing_rows',
          fromSeq: expected,
          upToSeq: row.seq - 1,
          rows: [],
          detail: 'rows are missing',
        };
      } else if (row.mac === null || row.mac === '') {
        bad = {
          reason: 'unsigned',
          fromSeq: row.seq,
          upToSeq: row.seq,
          rows: [row],
          detail: 'the row has no MAC',
        };
      } else if (!sameHex(await rowMac(key, row), row.mac)) {
        bad = {
          reason: 'altered',
          fromSeq: row.seq,
          upToSeq: row.seq,
          rows: [row],
          detail: 'the row MAC does not verify',
        };
      }
      if (bad !== null || row.mac === null) break;
      refs.push({ seq: row.seq, mac: row.mac });
      if (refs.length >= maxRows) break;
    }
    let checkpoint: SealedCheckpoint;
    if (refs.length > 0) {
      checkpoint = await sealCheckpoint(key, refs, prevHash, now());
    } else if (bad === null) {
      break;
    } else if (acknowledge?.seq === bad.fromSeq) {
      const exception: Exception = {
        reason: bad.reason,
        note: acknowledge.note,
        by: acknowledge.by,
      };
      checkpoint = await sealException(key, bad, exception, prevHash, now());
      acknowledge = undefined;
    } else {
      return { kind: 'refused', seq: bad.fromSeq, reason: bad.detail, sealed };
    }
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
      `audit checkpoint ${checkpoint.fromSeq}..${checkpoint.upToSeq}${checkpoint.exception === null ? '' : ' (acknowledged exception)'} hash=${checkpoint.hash}`,
    );
    sealed.push({
      fromSeq: checkpoint.fromSeq,
      upToSeq: checkpoint.upToSeq,
      hash: checkpoint.hash,
      ...(checkpoint.exception === null || bad === null ? {} : { exception: bad.reason }),
    });
    // A short batch with nothing bad after it: everything is sealed.
    if (bad === null && refs.length > 0 && refs.length < maxRows) break;
  }
  return { kind: 'sealed', checkpoints: sealed };
}
