// How an audit row looks outside the gateway: JSON for the API and NDJSON
// export, a flat record for the CSV export. Both carry the row's `mac`, so an
// export can be checked offline with the key (TAMPER-EVIDENCE.md).
import { z } from 'zod';
import type { AuditEventRow } from '../audit/schema.ts';

const nullableText = z.string().nullable();
const nullableInt = z.number().int().nullable();

/** One audit row as JSON (exported: the OpenAPI document is generated from it). */
export const auditEventSchema = z.object({
  seq: z.number().int(),
  eventId: z.string(),
  at: z.number().int().meta({ description: 'Milliseconds since the epoch.' }),
  time: z.iso.datetime(),
  event: z.string(),
  requestId: z.string(),
  sessionId: nullableText,
  accessRequestId: nullableText,
  actor: z
    .object({
      issuer: nullableText,
      subject: nullableText,
      email: nullableText,
      groups: z.unknown().meta({ description: 'JSON array of group names, as recorded.' }),
    })
    .nullable(),
  namespace: nullableText,
  method: nullableText,
  path: nullableText,
  resourceId: nullableText,
  decision: nullableText,
  ruleId: nullableText,
  reason: nullableText,
  upstreamStatus: nullableInt,
  status: nullableInt,
  bytes: nullableInt,
  durationMs: nullableInt,
  sha256: nullableText,
  maskCounts: z.unknown().meta({ description: 'Masked item count per entity type, or null.' }),
  recordingKey: nullableText,
  mac: nullableText.meta({ description: 'HMAC-SHA-256 (hex) of the row (TAMPER-EVIDENCE.md).' }),
});

export type AuditEventJson = z.infer<typeof auditEventSchema>;

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function auditRowJson(row: AuditEventRow): AuditEventJson {
  return {
    seq: row.seq,
    eventId: row.eventId,
    at: row.at,
    time: new Date(row.at).toISOString(),
    event: row.event,
    requestId: row.requestId,
    sessionId: row.sessionId,
    accessRequestId: row.accessRequestId,
    actor:
      row.actorIssuer === null && row.actorSubject === null
        ? null
        : {
            issuer: row.actorIssuer,
            subject: row.actorSubject,
            email: row.actorEmail,
            groups: parseJson(row.actorGroups),
          },
    namespace: row.namespace,
    method: row.method,
    path: row.path,
    resourceId: row.resourceId,
    decision: row.decision,
    ruleId: row.ruleId,
    reason: row.reason,
    upstreamStatus: row.upstreamStatus,
    status: row.status,
    bytes: row.bytes,
    durationMs: row.durationMs,
    sha256: row.sha256,
    maskCounts: parseJson(row.maskCounts),
    recordingKey: row.recordingKey,
    mac: row.mac,
  };
}

export const CSV_COLUMNS = [
  'seq',
  'time',
  'at',
  'event',
  'request_id',
  'session_id',
  'access_request_id',
  'actor_issuer',
  'actor_subject',
  'actor_email',
  'actor_groups',
  'namespace',
  'method',
  'path',
  'resource_id',
  'decision',
  'rule_id',
  'reason',
  'upstream_status',
  'status',
  'bytes',
  'duration_ms',
  'sha256',
  'mask_counts',
  'recording_key',
  'event_id',
  'mac',
] as const;

export function auditRowCells(row: AuditEventRow): (string | number | null)[] {
  return [
    row.seq,
    new Date(row.at).toISOString(),
    row.at,
    row.event,
    row.requestId,
    row.sessionId,
    row.accessRequestId,
    row.actorIssuer,
    row.actorSubject,
    row.actorEmail,
    row.actorGroups,
    row.namespace,
    row.method,
    row.path,
    row.resourceId,
    row.decision,
    row.ruleId,
    row.reason,
    row.upstreamStatus,
    row.status,
    row.bytes,
    row.durationMs,
    row.sha256,
    row.maskCounts,
    row.recordingKey,
    row.eventId,
    row.mac,
  ];
}
