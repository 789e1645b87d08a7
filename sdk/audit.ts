// The audit API, for auditors.
//
//   GET /v1/audit?from&to&namespace&actor&decision&cursor&limit   → { events, nextCursor }
//   GET /v1/audit/export?format=ndjson|csv&…                        → a stream
//
// `query` walks the cursor pages lazily (one request per page, as the caller
// iterates); `export` hands back the body as a stream, never buffered.
import { asRecord, callJson, listIn } from './json-call.ts';
import { errorFromResponse } from './problem.ts';
import { unexpected, type Transport } from './transport.ts';

export interface AuditFilters {
  /** Inclusive lower bound: a Date, epoch milliseconds, or an RFC 3339 string. */
  from?: Date | number | string;
  /** Exclusive upper bound, same forms as `from`. */
  to?: Date | number | string;
  namespace?: string;
  /** Subject or email of the actor. */
  actor?: string;
  decision?: string;
}

/** One audit row as the gateway renders it; members follow worker/audit/schema.ts. */
export type AuditEvent = Record<string, unknown>;

export interface AuditPage {
  events: AuditEvent[];
  /** Pass back to get the next page; undefined on the last page. */
  nextCursor: string | undefined;
  requestId: string | undefined;
}

export interface AuditExport {
  response: Response;
  body: ReadableStream<Uint8Array>;
  requestId: string | undefined;
}

export interface AuditApi {
  query(
    filters?: AuditFilters & { limit?: number; cursor?: string; signal?: AbortSignal },
  ): AsyncIterable<AuditPage>;
  export(
    options: AuditFilters & { format: 'ndjson' | 'csv'; signal?: AbortSignal },
  ): Promise<AuditExport>;
}

export function createAuditApi(transport: Transport): AuditApi {
  return {
    async *query(filters = {}) {
      const { limit, signal } = filters;
      if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0))
        throw new TypeError('limit: an integer > 0');
      let cursor = filters.cursor;
      const seen = new Set<string>();
      for (;;) {
        const url = transport.url('/v1/audit', {
          ...filterQuery(filters),
          limit: limit === undefined ? undefined : String(limit),
          cursor,
        });
        const { value, requestId } = await callJson(
          transport,
          url,
          signal === undefined ? {} : { signal },
        );
        const page = parsePage(value, requestId);
        yield page;
        if (page.nextCursor === undefined) return;
        // A gateway that hands back the same cursor would loop forever.
        if (seen.has(page.nextCursor))
          throw unexpected('the audit cursor repeated itself', requestId);
        seen.add(page.nextCursor);
        cursor = page.nextCursor;
      }
    },

    async export(options) {
      const url = transport.url('/v1/audit/export', {
        ...filterQuery(options),
        format: options.format,
      });
      const response = await transport.send(url, {
        headers: { accept: options.format === 'csv' ? 'text/csv' : 'application/x-ndjson' },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      const requestId = response.headers.get('x-request-id') ?? undefined;
      if (!response.ok) throw await errorFromResponse(response, transport.secrets);
      if (response.body === null)
        throw unexpected('the export has no body', requestId, response.status);
      return { response, body: response.body, requestId };
    },
  };
}

function filterQuery(filters: AuditFilters): Record<string, string | undefined> {
  return {
    from: timeParam(filters.from, 'from'),
    to: timeParam(filters.to, 'to'),
    namespace: filters.namespace,
    actor: filters.actor,
    decision: filters.decision,
  };
}

function timeParam(value: Date | number | string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`${name}: not a date`);
  return date.toISOString();
}

function parsePage(value: unknown, requestId: string | undefined): AuditPage {
  const events = listIn(value, ['events', 'items', 'data']);
  if (events === undefined) throw unexpected('the audit page has no list of events', requestId);
  const record = asRecord(value) ?? {};
  const next = record.nextCursor ?? record.cursor ?? record.next;
  return {
    events: events.flatMap((event) => {
      const row = asRecord(event);
      return row === undefined ? [] : [row];
    }),
    nextCursor: typeof next === 'string' && next !== '' ? next : undefined,
    requestId,
  };
}
