// The audit API: filters, stable cursor paging, and streamed NDJSON and CSV
// exports (batched reads, proper quoting, formula-injection defence).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createD1AuditLog } from '../../worker/audit/audit-log.ts';
import type { Principal } from '../../worker/identity/principal.ts';
import { appFor, bearer, createHarness, send, type Harness } from './recording-harness.ts';

let harness: Harness;
let auditor: RequestInit;
const T0 = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;

beforeAll(async () => {
  harness = await createHarness();
});

const principal = (subject: string, email: string): Principal => ({
  issuerId: 'test',
  issuer: 'https://idp.test',
  subject,
  email,
  groups: ['staff'],
  tokenId: undefined,
  issuedAt: undefined,
});

interface EventJson {
  seq: number;
  event: string;
  namespace: string | null;
  decision: string | null;
  requestId: string;
  reason: string | null;
  actor: { subject: string } | null;
  mac: string | null;
}

beforeEach(async () => {
  await env.AUDIT_DB.prepare('DELETE FROM audit_events').run();
  const log = createD1AuditLog(env.AUDIT_DB, Date.now, env);
  // 12 rows, one an hour: alternating namespaces, actors and decisions.
  for (let i = 0; i < 12; i++) {
    await log.write({
      event: i % 3 === 2 ? 'completed' : 'decision',
      at: T0 + i * HOUR,
      requestId: `req-${i}`,
      principal:
        i % 2 === 0
          ? principal('alice', 'alice@example.test')
          : principal('bob', 'bob@example.test'),
      namespace: i % 4 < 2 ? 'lf' : 'otlp',
      decision: i % 3 === 2 ? null : i % 2 === 0 ? 'allow' : 'deny',
      ruleId: 'r',
      reason: i === 5 ? '=HYPERLINK("http://evil.test","click"), "quoted"\nnext line' : null,
    });
  }
  auditor = bearer(await harness.auditorToken());
});

async function query(params: string): Promise<{ events: EventJson[]; nextCursor: string | null }> {
  const { response, text } = await send(harness, `/v1/audit?${params}`, { init: auditor });
  expect(response.status).toBe(200);
  return JSON.parse(text) as { events: EventJson[]; nextCursor: string | null };
}

describe('GET /v1/audit', () => {
  it('filters by time range, namespace, actor, decision, request id and event', async () => {
    const range = await query(`from=${new Date(T0 + 2 * HOUR).toISOString()}&to=${T0 + 5 * HOUR}`);
    expect(range.events.map((e) => e.requestId)).toEqual(['req-2', 'req-3', 'req-4']);
    const otlpBob = await query('namespace=otlp&actor=bob');
    expect(otlpBob.events.map((e) => e.requestId)).toEqual(['req-3', 'req-7', 'req-11']);
    const byEmail = await query('actor=alice@example.test&decision=allow');
    expect(
      byEmail.events.every((e) => e.actor?.subject === 'alice' && e.decision === 'allow'),
    ).toBe(true);
    expect((await query('requestId=req-9')).events.map((e) => e.seq)).toHaveLength(1);
    const completions = await query('event=completed');
    expect(completions.events.map((e) => e.requestId)).toEqual([
      'req-2',
      'req-5',
      'req-8',
      'req-11',
    ]);
    expect(completions.events[0]?.mac).toMatch(/^[0-9a-f]{64}$/);
  });

  it('pages with a stable cursor: every row once, in seq order, while rows keep arriving', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { events: EventJson[]; nextCursor: string | null } = await query(
        `namespace=lf&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      seen.push(...page.events.map((e) => e.seq));
      cursor = page.nextCursor;
      pages++;
      // A new row between pages lands after the cursor, never shifts the pages.
      await createD1AuditLog(env.AUDIT_DB, Date.now, env).write({
        event: 'decision',
        requestId: `late-${pages}`,
        namespace: 'otlp',
      });
    } while (cursor !== null);
    expect(seen).toHaveLength(6);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(new Set(seen).size).toBe(6);
  });

  it('answers 400 naming the parameter for a bad time, limit or cursor', async () => {
    for (const [params, name] of [
      ['from=yesterday', 'from'],
      ['limit=0', 'limit'],
      ['limit=5000', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
    ] as const) {
      const { response, text } = await send(harness, `/v1/audit?${params}`, { init: auditor });
      expect(response.status).toBe(400);
      expect(JSON.parse(text)).toMatchObject({
        code: 'bad_request',
        detail: expect.stringContaining(`"${name}"`),
      });
    }
  });
});

describe('GET /v1/audit/export', () => {
  it('streams NDJSON identical to the query results', async () => {
    const { response, text } = await send(
      harness,
      '/v1/audit/export?format=ndjson&namespace=otlp',
      { init: auditor },
    );
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="tracegate-audit-.*\.ndjson"$/,
    );
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as EventJson);
    expect(lines).toEqual((await query('namespace=otlp')).events);
  });

  it('streams CSV with quoting and spreadsheet formulas neutralised', async () => {
    const { response, text } = await send(harness, '/v1/audit/export?format=csv&requestId=req-5', {
      init: auditor,
    });
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, row, rest] = text.split('\r\n');
    expect(header?.startsWith('seq,time,at,event,request_id,')).toBe(true);
    expect(rest).toBe('');
    expect(row).toContain(`,"'=HYPERLINK(""http://evil.test"",""click""), ""quoted""`);
    expect(text).toContain('next line"');
  });

  it('reads D1 in batches and stops at the rows that existed when it started', async () => {
    const log = createD1AuditLog(env.AUDIT_DB, Date.now, env);
    await Promise.all(
      Array.from({ length: 1100 }, (_, i) =>
        log.write({ event: 'decision', requestId: `bulk-${i}`, namespace: 'bulk' }),
      ),
    );
    const ctx = createExecutionContext();
    const response = await appFor(harness).request(
      'https://gateway.test/v1/audit/export?format=ndjson&namespace=bulk',
      auditor,
      env,
      ctx,
    );
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let chunks = 0;
    for (;;) {
      const next = await reader?.read();
      if (next === undefined || next.done) break;
      chunks++;
      text += decoder.decode(next.value, { stream: true });
      if (chunks === 1) {
        // Written after the export started: not in it.
        await log.write({ event: 'decision', requestId: 'after-start', namespace: 'bulk' });
      }
    }
    await waitOnExecutionContext(ctx);
    const ids = text
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as EventJson).requestId);
    expect(ids).toHaveLength(1100);
    expect(ids).not.toContain('after-start');
    expect(chunks).toBeGreaterThanOrEqual(3);
  });

  it('refuses an unknown format', async () => {
    const { response } = await send(harness, '/v1/audit/export?format=xlsx', { init: auditor });
    expect(response.status).toBe(400);
  });
});
