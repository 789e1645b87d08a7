// D1 schema of the audit log (drizzle-orm). Migrations in migrations/ are
// generated from this file by drizzle-kit (`npm run db:generate`) and applied
// by wrangler (`wrangler d1 migrations apply`).
//
// The log is append-only: one row per event. A read leaves at least a
// `decision` row (written before any upstream byte flows) and, if it was
// served, a `completed` or `failed` row with the same request id.
import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';

export const auditEvents = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    eventId: text('event_id').notNull().unique(),
    /** Milliseconds since the epoch. */
    at: integer('at').notNull(),
    event: text('event').notNull(),
    requestId: text('request_id').notNull(),
    sessionId: text('session_id'),
    accessRequestId: text('access_request_id'),
    actorIssuer: text('actor_issuer'),
    actorSubject: text('actor_subject'),
    actorEmail: text('actor_email'),
    /** JSON array of group names. */
    actorGroups: text('actor_groups'),
    namespace: text('namespace'),
    method: text('method'),
    path: text('path'),
    resourceId: text('resource_id'),
    decision: text('decision'),
    ruleId: text('rule_id'),
    reason: text('reason'),
    upstreamStatus: integer('upstream_status'),
    status: integer('status'),
    bytes: integer('bytes'),
    durationMs: integer('duration_ms'),
    sha256: text('sha256'),
    /** JSON object: masked item count per entity type (never the values). */
    maskCounts: text('mask_counts'),
    recordingKey: text('recording_key'),
    /** HMAC-SHA-256 (hex) of the row's content under AUDIT_MAC_KEY: see TAMPER-EVIDENCE.md. */
    mac: text('mac'),
  },
  (t) => [
    index('audit_events_at').on(t.at),
    index('audit_events_request').on(t.requestId),
    index('audit_events_namespace_at').on(t.namespace, t.at),
    index('audit_events_actor_at').on(t.actorSubject, t.at),
  ],
);

export type AuditEventRow = typeof auditEvents.$inferSelect;
