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
// The zod schemas below are what the handlers parse with and what the OpenAPI
// document is generated from.
import { and, eq, gt, gte, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
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

const INSTANT_EXPECTED = 'an ISO 8601 time or milliseconds since the epoch';

/** ISO 8601 (anything Date.parse reads) or epoch milliseconds, as milliseconds. */
const instantParam = z
  .string()
  .transform((value, ctx) => {
    const ms = /^\d{1,16}$/.test(value) ? Number(value) : Date.parse(value);
    if (Number.isFinite(ms)) return ms;
    ctx.issues.push({ code: 'custom', message: INSTANT_EXPECTED, input: value });
    return z.NEVER;
  })
  .meta({ description: `${INSTANT_EXPECTED}.`, examples: ['2026-11-01T00:00:00Z'] });

const textParam = (max: number, description: string) =>
  z.string().max(max, `at most ${max} characters`).meta({ description });

/**
 * The filters, in the order they are checked (exported: the OpenAPI document
 * is generated from it). Values arrive as strings; an empty one is absent.
 */
export const auditFilterQuerySchema = z.object({
  from: instantParam.optional(),
  to: instantParam.optional(),
  namespace: textParam(64, 'Namespace id.').optional(),
  actor: textParam(256, 'Subject (`sub`) or email of the actor.').optional(),
  decision: textParam(
    64,
    'allow | deny | block | review | unauthenticated | not_found …',
  ).optional(),
  requestId: textParam(128, 'Gateway request id.').optional(),
  event: textParam(64, 'decision | completed | failed | recording_deleted …').optional(),
});

/** A cursor is the seq of the last row of the previous page, base64url-encoded. */
const cursorParam = z
  .string()
  .transform((value, ctx) => {
    let decoded = '';
    try {
      decoded = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
    } catch {
      // Reported below.
    }
    const match = /^seq:(\d{1,15})$/.exec(decoded);
    if (match?.[1] !== undefined) return Number(match[1]);
    ctx.issues.push({
      code: 'custom',
      message: 'a cursor returned by a previous page',
      input: value,
    });
    return z.NEVER;
  })
  .meta({ description: "Opaque: the previous page's `nextCursor`." });

const LIMIT_EXPECTED = `an integer from 1 to ${MAX_LIMIT}`;

export const pageQuerySchema = z.object({
  cursor: cursorParam.optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, LIMIT_EXPECTED)
    .transform(Number)
    .pipe(z.number().int().min(1, LIMIT_EXPECTED).max(MAX_LIMIT, LIMIT_EXPECTED))
    .optional()
    .meta({ description: `Page size, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT}).` }),
});

/** The query of `GET /v1/audit`. */
export const auditQuerySchema = auditFilterQuerySchema.extend(pageQuerySchema.shape);

/**
 * Parses the parameters `schema` names (first value of each; empty = absent);
 * a bad value is a 400 naming the first bad parameter.
 */
export function parseQueryParams<S extends z.ZodObject>(
  schema: S,
  params: URLSearchParams,
): z.output<S> {
  const input: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = params.get(name);
    if (value !== null && value !== '') input[name] = value;
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  throw badParam(String(issue?.path[0] ?? 'query'), issue?.message ?? 'a valid value');
}

function badParam(name: string, expected: string): GatewayError {
  return new GatewayError('bad_request', {
    publicDetail: `Query parameter "${name}": ${expected}.`,
  });
}

export function parseAuditFilters(params: URLSearchParams): AuditFilters {
  const query = parseQueryParams(auditFilterQuerySchema, params);
  return {
    from: query.from,
    to: query.to,
    namespace: query.namespace,
    actor: query.actor,
    decision: query.decision,
    requestId: query.requestId,
    event: query.event,
  };
}

export function parseLimit(params: URLSearchParams): number {
  return parseQueryParams(pageQuerySchema.pick({ limit: true }), params).limit ?? DEFAULT_LIMIT;
}

/** A cursor is the seq of the last row of the previous page, base64url-encoded. */
export function encodeCursor(seq: number): string {
  return btoa(`seq:${seq}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function parseCursor(params: URLSearchParams): number | undefined {
  return parseQueryParams(pageQuerySchema.pick({ cursor: true }), params).cursor;
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
