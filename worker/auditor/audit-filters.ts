// Query parameters of the audit and sessions APIs, parsed once and turned
// into SQL conditions on audit_events.
//
//   from, to     ISO 8601 instant or milliseconds since the epoch; from is
//                inclusive, to exclusive
//   namespace    namespace id
//   actor        subject (`sub`) or email of the actor
//   decision     allow | deny | block | review | unauthenticated | not_found …
//   requestId    gateway request id
//   event        decision | completed | failed | recording_deleted …
//   cursor       opaque, from the previous page's `nextCursor`
//   limit        1..1000 (default 100)
//
// A bad value is a 400 naming the parameter; an unknown parameter is ignored.
import { and, eq, gt, gte, lt, or, type SQL } from 'drizzle-orm';
import { GatewayError } from '../http/errors.ts';
import { auditEvents } from '../audit/schema.ts';

export interface AuditFilters {
  from: number | undefined;
  to: number | undefined;
  namespace: string | undefined;
  actor: string | undefined;
  decision: string | undefined;
  requestId: string | undefined;
  event: string | undefined;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

function badParam(name: string, expected: string): GatewayError {
  return new GatewayError('bad_request', {
    publicDetail: `Query parameter "${name}": ${expected}.`,
  });
}

function instant(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  const ms = /^\d{1,16}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw badParam(name, 'an ISO 8601 time or milliseconds since the epoch');
  return ms;
}

function text(params: URLSearchParams, name: string, max = 256): string | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (value.length > max) throw badParam(name, `at most ${max} characters`);
  return value;
}

export function parseAuditFilters(params: URLSearchParams): AuditFilters {
  return {
    from: instant(params, 'from'),
    to: instant(params, 'to'),
    namespace: text(params, 'namespace', 64),
    actor: text(params, 'actor'),
    decision: text(params, 'decision', 64),
    requestId: text(params, 'requestId', 128),
    event: text(params, 'event', 64),
  };
}

export function parseLimit(params: URLSearchParams): number {
  const value = params.get('limit');
  if (value === null || value === '') return DEFAULT_LIMIT;
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT))
    throw badParam('limit', `an integer from 1 to ${MAX_LIMIT}`);
  return limit;
}

/** A cursor is the seq of the last row of the previous page, base64url-encoded. */
export function encodeCursor(seq: number): string {
  return btoa(`seq:${seq}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function parseCursor(params: URLSearchParams): number | undefined {
  const value = params.get('cursor');
  if (value === null || value === '') return undefined;
  let decoded = '';
  try {
    decoded = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    // Reported below.
  }
  const match = /^seq:(\d{1,15})$/.exec(decoded);
  if (match?.[1] === undefined) throw badParam('cursor', 'a cursor returned by a previous page');
  return Number(match[1]);
}

export function filterConditions(filters: AuditFilters): SQL[] {
  const conditions: (SQL | undefined)[] = [
    filters.from === undefined ? undefined : gte(auditEvents.at, filters.from),
    filters.to === undefined ? undefined : lt(auditEvents.at, filters.to),
    filters.namespace === undefined ? undefined : eq(auditEvents.namespace, filters.namespace),
    filters.actor === undefined
      ? undefined
      : or(eq(auditEvents.actorSubject, filters.actor), eq(auditEvents.actorEmail, filters.actor)),
    filters.decision === undefined ? undefined : eq(auditEvents.decision, filters.decision),
    filters.requestId === undefined ? undefined : eq(auditEvents.requestId, filters.requestId),
    filters.event === undefined ? undefined : eq(auditEvents.event, filters.event),
  ];
  return conditions.filter((c): c is SQL => c !== undefined);
}

/** Conditions for the page after `cursor` in ascending seq order. */
export function pageAfter(filters: AuditFilters, cursor: number | undefined): SQL | undefined {
  const conditions = filterConditions(filters);
  if (cursor !== undefined) conditions.push(gt(auditEvents.seq, cursor));
  return and(...conditions);
}
