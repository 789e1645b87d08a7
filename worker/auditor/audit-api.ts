// The audit API, for auditors (mounted at /v1/audit):
//
//   GET  /v1/audit?from&to&namespace&actor&decision&requestId&event&cursor&limit
//        → { events: [...], nextCursor }  (ascending seq; the cursor is stable
//          because seqs only grow)
//   GET  /v1/audit/export?format=ndjson|csv&<same filters>
//        → streamed; D1 is read in batches inside the stream, never whole. The
//          export stops at the last seq that existed when it started, so it
//          ends even while rows keep arriving.
//   GET  /v1/audit/verify      → the tamper-evidence report (verify-audit-log.ts)
//   POST /v1/audit/checkpoints → seal new rows now (as the cron does); with
//          `{"acknowledge": {"seq", "note"}}`, seal the bad range that starts
//          at seq as found, so sealing goes on past it (audited)
import { and, asc, desc, lte } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { Hono } from 'hono';
import { z } from 'zod';
import { verifyD1AuditLog, writeCheckpoints } from '../audit/audit-chain-d1.ts';
import { auditMacKey } from '../audit/mac-key.ts';
import { auditEvents } from '../audit/schema.ts';
import { GatewayError } from '../http/errors.ts';
import { readJsonBody } from '../http/json-body.ts';
import { reasonText } from '../requests/representation.ts';
import {
  auditFilterQuerySchema,
  encodeCursor,
  pageAfter,
  parseAuditFilters,
  parseCursor,
  parseLimit,
  parseQueryParams,
  type AuditFilters,
} from './audit-filters.ts';
import { auditEventSchema, auditRowCells, auditRowJson, CSV_COLUMNS } from './audit-row-view.ts';
import { csvLine } from './csv.ts';
import { requireAuditor, type AuditorDeps, type AuditorEnv } from './require-auditor.ts';

const EXPORT_BATCH = 500;

/** The body of POST /v1/audit/checkpoints (exported: the OpenAPI document is generated from it). */
export const checkpointBodySchema = z.strictObject({
  acknowledge: z
    .strictObject({
      seq: z.number().int().positive().meta({
        description: 'The first seq of the bad range, as a refusal named it.',
      }),
      note: reasonText.meta({ description: 'Why sealing may go on: the finding, a ticket.' }),
    })
    .optional(),
});

// The export's query and the query's answer page (exported: the OpenAPI
// document is generated from them).
export const auditExportQuerySchema = auditFilterQuerySchema.extend({
  format: z.enum(['ndjson', 'csv'], { error: 'ndjson or csv' }).default('ndjson'),
});

export const auditPageSchema = z.object({
  events: z.array(auditEventSchema).meta({ description: 'Ascending seq.' }),
  nextCursor: z.string().nullable(),
});

export function createAuditApi(deps: AuditorDeps): Hono<AuditorEnv> {
  const api = new Hono<AuditorEnv>();
  api.use(requireAuditor(deps));

  api.get('/', async (c) => {
    const params = new URL(c.req.url).searchParams;
    const filters = parseAuditFilters(params);
    const limit = parseLimit(params);
    const cursor = parseCursor(params);
    const rows = await drizzle(c.env.AUDIT_DB)
      .select()
      .from(auditEvents)
      .where(pageAfter(filters, cursor))
      .orderBy(asc(auditEvents.seq))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return c.json(
      {
        events: page.map(auditRowJson),
        nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.seq) : null,
      } satisfies z.infer<typeof auditPageSchema>,
      200,
      { 'cache-control': 'no-store' },
    );
  });

  api.get('/export', async (c) => {
    const params = new URL(c.req.url).searchParams;
    const { format } = parseQueryParams(auditExportQuerySchema.pick({ format: true }), params);
    const filters = parseAuditFilters(params);
    const stream = exportStream(c.env.AUDIT_DB, filters, format);
    const stamp = new Date(deps.now()).toISOString().replace(/[:.]/g, '-');
    return new Response(stream, {
      headers: {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
        'content-disposition': `attachment; filename="tracegate-audit-${stamp}.${format}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-request-id': c.get('requestId'),
      },
    });
  });

  api.get('/verify', async (c) => {
    const key = await auditMacKey(c.env);
    if (!key.ok) throw new GatewayError('gateway_misconfigured', { cause: new Error(key.reason) });
    const report = await verifyD1AuditLog(c.env.AUDIT_DB, key.key);
    return c.json(report, 200, { 'cache-control': 'no-store' });
  });

  api.post('/checkpoints', async (c) => {
    const key = await auditMacKey(c.env);
    if (!key.ok) throw new GatewayError('gateway_misconfigured', { cause: new Error(key.reason) });
    const { acknowledge } = await readJsonBody(c.req.raw, checkpointBodySchema);
    const auditor = c.get('auditor');
    const audit = deps.auditLogFor(c.env);
    const row = {
      event: 'checkpoint_exception' as const,
      requestId: c.get('requestId'),
      principal: { tokenId: undefined, issuedAt: undefined, ...auditor },
      method: c.req.method,
      path: new URL(c.req.url).pathname,
    };
    // Who asked to let sealing go on past which rows, and why: stored before
    // anything is sealed, so an exception never exists without its audit row
    // (a failed write is a 503 and seals nothing). The outcome follows.
    if (acknowledge !== undefined) {
      await audit.write({
        ...row,
        resourceId: String(acknowledge.seq),
        decision: 'requested',
        reason: `acknowledge seq ${acknowledge.seq}: ${acknowledge.note}`,
      });
    }
    const result = await writeCheckpoints(c.env.AUDIT_DB, key.key, deps.now, {
      ...(acknowledge === undefined
        ? {}
        : { acknowledge: { ...acknowledge, by: `${auditor.issuer} ${auditor.subject}` } }),
    });
    if (acknowledge === undefined) {
      return c.json(result, result.kind === 'sealed' ? 200 : 409, { 'cache-control': 'no-store' });
    }
    const written = result.kind === 'sealed' ? result.checkpoints : result.sealed;
    const acknowledged = written.find((checkpoint) => checkpoint.exception !== undefined);
    // What came of it; the exception checkpoint keeps who and why too.
    await audit.write({
      ...row,
      resourceId: String(acknowledge.seq),
      decision: acknowledged === undefined ? 'refused' : 'sealed',
      reason:
        acknowledged === undefined
          ? `nothing sealed at seq ${acknowledge.seq}: ${acknowledge.note}`
          : `${acknowledged.exception ?? ''} ${acknowledged.fromSeq}..${acknowledged.upToSeq}: ${acknowledge.note}`,
    });
    if (acknowledged !== undefined) return c.json(result, 200, { 'cache-control': 'no-store' });
    // Sealing does not stop at that seq (any more): nothing was acknowledged.
    return c.json(
      result.kind === 'refused'
        ? result
        : {
            kind: 'refused' as const,
            seq: acknowledge.seq,
            reason: 'no bad range starts at this seq: nothing to acknowledge',
            sealed: written,
          },
      409,
      { 'cache-control': 'no-store' },
    );
  });

  return api;
}

/** The export as a pull stream: one D1 batch per pull, up to the seq seen at the start. */
function exportStream(
  db: D1Database,
  filters: AuditFilters,
  format: 'ndjson' | 'csv',
): ReadableStream<Uint8Array> {
  const orm = drizzle(db);
  const encoder = new TextEncoder();
  let cursor: number | undefined;
  let ceiling: number | undefined;
  let headerSent = format !== 'csv';
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (ceiling === undefined) {
          const [top] = await orm
            .select({ seq: auditEvents.seq })
            .from(auditEvents)
            .orderBy(desc(auditEvents.seq))
            .limit(1);
          ceiling = top?.seq ?? 0;
        }
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(csvLine(CSV_COLUMNS)));
          return;
        }
        const rows = await orm
          .select()
          .from(auditEvents)
          .where(and(pageAfter(filters, cursor), lte(auditEvents.seq, ceiling)))
          .orderBy(asc(auditEvents.seq))
          .limit(EXPORT_BATCH);
        const last = rows[rows.length - 1];
        if (rows.length > 0) {
          const text =
            format === 'csv'
              ? rows.map((row) => csvLine(auditRowCells(row))).join('')
              : rows.map((row) => `${JSON.stringify(auditRowJson(row))}\n`).join('');
          controller.enqueue(encoder.encode(text));
        }
        if (last === undefined || rows.length < EXPORT_BATCH) controller.close();
        else cursor = last.seq;
      },
    },
    { highWaterMark: 0 },
  );
}
