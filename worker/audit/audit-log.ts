// Step 4 (and 9) of the request path: writing audit events to D1.
//
// Writes are awaited by the caller where the invariant needs it ("no byte
// without a decision record"); a failed write surfaces as `audit_unavailable`
// and the read stops there.
//
// Each row is signed with AUDIT_MAC_KEY (row-mac.ts, TAMPER-EVIDENCE.md); a
// missing key fails every write (mac-key.ts), so nothing unsigned is logged.
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Principal } from '../identity/principal.ts';
import { GatewayError } from '../http/errors.ts';
import { auditEvents } from './schema.ts';
import { auditMacKey } from './mac-key.ts';
import { rowMac } from './row-mac.ts';
import { wellFormed } from '../http/typed-text.ts';

export type AuditEventKind =
  | 'auth_failed'
  | 'decision'
  | 'completed'
  | 'failed'
  | 'review_created'
  | 'review_decision'
  | 'review_approved'
  | 'review_denied'
  | 'review_expired'
  | 'review_cancelled'
  | 'grant_used'
  | 'notify_failed'
  | 'recording_deleted'
  | 'checkpoint_exception';

export interface AuditEvent {
  /**
   * The row's unique id; new when absent. A writer that may retry a write
   * whose answer it never got (the access request's outbox) fixes it up
   * front, so a retry of a row that did reach D1 adds nothing.
   */
  eventId?: string;
  event: AuditEventKind;
  requestId: string;
  at?: number;
  sessionId?: string | null;
  accessRequestId?: string | null;
  principal?: Principal | null;
  namespace?: string | null;
  method?: string | null;
  path?: string | null;
  resourceId?: string | null;
  decision?: string | null;
  ruleId?: string | null;
  reason?: string | null;
  upstreamStatus?: number | null;
  status?: number | null;
  bytes?: number | null;
  durationMs?: number | null;
  sha256?: string | null;
  maskCounts?: Record<string, number> | null;
  recordingKey?: string | null;
}

export interface AuditLog {
  /** Writes one event; throws GatewayError('audit_unavailable') when it cannot. */
  write(event: AuditEvent): Promise<void>;
}

const text = (value: string): string => wellFormed(value);
const optionalText = (value: string | null | undefined): string | null =>
  value === undefined || value === null ? null : wellFormed(value);

/**
 * Strings go in well-formed (lone surrogates become U+FFFD, as D1's UTF-8
 * storage would make them anyway), so the row that is stored is the row
 * that was MACed: a claim or a reason with half a character must not leave
 * a row that never verifies and blocks every checkpoint after it.
 */
export function toRow(event: AuditEvent, now: number) {
  const p = event.principal ?? null;
  return {
    eventId: event.eventId ?? crypto.randomUUID(),
    at: event.at ?? now,
    event: event.event,
    requestId: text(event.requestId),
    sessionId: optionalText(event.sessionId),
    accessRequestId: optionalText(event.accessRequestId),
    actorIssuer: optionalText(p?.issuer),
    actorSubject: optionalText(p?.subject),
    actorEmail: optionalText(p?.email),
    actorGroups: p === null ? null : JSON.stringify(p.groups),
    namespace: optionalText(event.namespace),
    method: optionalText(event.method),
    path: optionalText(event.path),
    resourceId: optionalText(event.resourceId),
    decision: optionalText(event.decision),
    ruleId: optionalText(event.ruleId),
    reason: optionalText(event.reason),
    upstreamStatus: event.upstreamStatus ?? null,
    status: event.status ?? null,
    bytes: event.bytes ?? null,
    durationMs: event.durationMs ?? null,
    sha256: optionalText(event.sha256),
    maskCounts:
      event.maskCounts === undefined || event.maskCounts === null
        ? null
        : JSON.stringify(event.maskCounts),
    recordingKey: optionalText(event.recordingKey),
  };
}

/** `secrets`: the Worker env (or any object) holding AUDIT_MAC_KEY. */
export function createD1AuditLog(
  db: D1Database,
  now: () => number = Date.now,
  secrets: object = {},
): AuditLog {
  const orm = drizzle(db);
  return {
    async write(event: AuditEvent): Promise<void> {
      try {
        const key = await auditMacKey(secrets);
        if (!key.ok) throw new Error(key.reason);
        const row = toRow(event, now());
        // A retried event that is already in (same id, same row: the event
        // carries its own time) is done. Looked up first rather than inserted
        // with ON CONFLICT DO NOTHING, which takes a seq all the same and
        // leaves a gap that reads as a deleted row (TAMPER-EVIDENCE.md).
        if (event.eventId !== undefined) {
          const existing = await orm
            .select({ seq: auditEvents.seq })
            .from(auditEvents)
            .where(eq(auditEvents.eventId, event.eventId))
            .limit(1);
          if (existing.length > 0) return;
        }
        await orm.insert(auditEvents).values({ ...row, mac: await rowMac(key.key, row) });
      } catch (cause) {
        throw new GatewayError('audit_unavailable', { cause });
      }
    },
  };
}
