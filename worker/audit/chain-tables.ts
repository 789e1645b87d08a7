// D1 table of audit checkpoints (drizzle-orm), the second half of the audit
// log's tamper evidence (TAMPER-EVIDENCE.md). drizzle-kit generates its
// migration into migrations/ (drizzle.config.ts lists this file).
//
// One row per checkpoint, written by the scheduled job or on demand, never on
// the read path. A checkpoint seals the audit rows `from_seq..up_to_seq`: their
// count, a hash over their MACs in seq order, the MACs' first 16 hex digits in
// order (to name the first misplaced row), and the previous checkpoint's hash,
// all under an HMAC. An exception checkpoint instead seals a bad range as an
// auditor acknowledged it. The unique `from_seq` makes two concurrent checkpoint
// jobs race harmlessly: the second insert fails and nothing is sealed twice.
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const auditCheckpoints = sqliteTable('audit_checkpoints', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  fromSeq: integer('from_seq').notNull().unique(),
  upToSeq: integer('up_to_seq').notNull(),
  rowCount: integer('row_count').notNull(),
  /** SHA-256 (hex) over "seq:mac\n" of every sealed row, in seq order. */
  chainHash: text('chain_hash').notNull(),
  /** The first 16 hex digits of each sealed row's MAC, concatenated in seq order. */
  rowTags: text('row_tags').notNull(),
  /** `hash` of the previous checkpoint (64 zeros for the first). */
  prevHash: text('prev_hash').notNull(),
  /** SHA-256 (hex) of this checkpoint's canonical content. */
  hash: text('hash').notNull(),
  /** Milliseconds since the epoch. */
  createdAt: integer('created_at').notNull(),
  /** HMAC-SHA-256 (hex) of the canonical content under AUDIT_MAC_KEY. */
  mac: text('mac').notNull(),
  /**
   * Null for a checkpoint that seals good rows. Otherwise JSON
   * `{reason, note, by}`: an auditor acknowledged that the rows in this range
   * are bad as found (missing, unsigned or altered), so sealing can go on
   * past them; `chain_hash` then binds them as found (checkpoint-seal.ts).
   */
  exception: text('exception'),
});

export type AuditCheckpointRow = typeof auditCheckpoints.$inferSelect;
