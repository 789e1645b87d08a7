// Finding recorded sessions. The audit log is the index: a served read's
// completion row (`completed` or `failed`) carries its session id and the
// recording's key, and audit_events is already indexed by time, namespace,
// actor and request id. A session appears here once its completion row is
// written; a session whose Worker died mid-stream has only a manifest with
// status `recording` in R2 (see STORAGE.md).
import { and, asc, desc, eq, inArray, isNotNull, lt, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { auditEvents, type AuditEventRow } from '../audit/schema.ts';
import { filterConditions, type AuditFilters } from './audit-filters.ts';

const COMPLETION_EVENTS = ['completed', 'failed'];

const nullableText = z.string().nullable();

/** One recorded session in a list (exported: the OpenAPI document is generated from it). */
export const sessionSummarySchema = z.object({
  sessionId: z.string(),
  requestId: z.string(),
  seq: z.number().int(),
  at: z.number().int().meta({ description: 'Milliseconds since the epoch.' }),
  time: z.iso.datetime(),
  outcome: z.string().meta({ description: 'The completion event: completed or failed.' }),
  namespace: nullableText,
  actor: z.object({ issuer: nullableText, subject: nullableText, email: nullableText }),
  method: nullableText,
  path: nullableText,
  resourceId: nullableText,
  status: z.number().int().nullable(),
  bytes: z.number().int().nullable(),
  sha256: nullableText,
  reason: nullableText,
  recordingKey: nullableText.meta({
    description: 'The R2 prefix of the recording; null when it is missing.',
  }),
});

export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export function sessionSummary(row: AuditEventRow & { sessionId: string }): SessionSummary {
  return {
    sessionId: row.sessionId,
    requestId: row.requestId,
    seq: row.seq,
    at: row.at,
    time: new Date(row.at).toISOString(),
    outcome: row.event,
    namespace: row.namespace,
    actor: { issuer: row.actorIssuer, subject: row.actorSubject, email: row.actorEmail },
    method: row.method,
    path: row.path,
    resourceId: row.resourceId,
    status: row.status,
    bytes: row.bytes,
    sha256: row.sha256,
    reason: row.reason,
    recordingKey: row.recordingKey,
  };
}

function hasSession(row: AuditEventRow): row is AuditEventRow & { sessionId: string } {
  return row.sessionId !== null;
}

/** Newest first; `before` is the seq cursor of the previous page. */
export async function listSessions(
  db: D1Database,
  filters: Omit<AuditFilters, 'event' | 'decision' | 'requestId'>,
  before: number | undefined,
  limit: number,
): Promise<{ sessions: SessionSummary[]; nextBefore: number | null }> {
  const conditions: SQL[] = [
    ...filterConditions({
      ...filters,
      event: undefined,
      decision: undefined,
      requestId: undefined,
    }),
    inArray(auditEvents.event, COMPLETION_EVENTS),
    isNotNull(auditEvents.sessionId),
  ];
  if (before !== undefined) conditions.push(lt(auditEvents.seq, before));
  const rows = await drizzle(db)
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.seq))
    .limit(limit + 1);
  const page = rows.slice(0, limit).filter(hasSession);
  const last = page[page.length - 1];
  return {
    sessions: page.map(sessionSummary),
    nextBefore: rows.length > limit && last !== undefined ? last.seq : null,
  };
}

/** The session's completion row and every audit row of its request, in order. */
export async function findSession(
  db: D1Database,
  sessionId: string,
): Promise<{ summary: SessionSummary; rows: AuditEventRow[] } | null> {
  const rows = await drizzle(db)
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.requestId, sessionId))
    .orderBy(asc(auditEvents.seq));
  const completion = rows
    .filter(hasSession)
    .filter((row) => COMPLETION_EVENTS.includes(row.event) && row.sessionId === sessionId)
    .at(-1);
  if (completion === undefined) return null;
  return { summary: sessionSummary(completion), rows };
}

/**
 * When retention removed the session's recording, or null. Only asked when
 * the manifest is gone (session_id is not indexed; this is the rare case).
 */
export async function recordingDeletedAt(
  db: D1Database,
  sessionId: string,
): Promise<number | null> {
  const [deleted] = await drizzle(db)
    .select({ at: auditEvents.at })
    .from(auditEvents)
    .where(and(eq(auditEvents.event, 'recording_deleted'), eq(auditEvents.sessionId, sessionId)))
    .limit(1);
  return deleted?.at ?? null;
}
