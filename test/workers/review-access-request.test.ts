// The AccessRequest Durable Object with its real SQLite storage and the real
// D1 audit/index database: transitions, waiters, the alarm (expiry and
// notification retries), and what each leaves in D1.
//
// The clock is frozen (only Date is faked) at a time well ahead of the real
// one, so no alarm fires on its own: each test runs alarms itself with
// runDurableObjectAlarm after moving the clock. Each test uses new objects.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_WAITERS,
  type AccessRequestRpc,
} from '../../durable-objects/access-request-contract.ts';
import type { AccessRequest } from '../../durable-objects/access-request.ts';
import readme from '../../README.md?raw';
import storageNotes from '../../worker/review/STORAGE.md?raw';
import { createD1AuditLog, type AuditEvent } from '../../worker/audit/audit-log.ts';
import type { NotifyTarget } from '../../worker/config/schema.ts';
import {
  actor,
  requestInit,
  type InitOverrides,
} from '../../worker/review/testing/review-fixtures.ts';

const T0 = Date.UTC(2031, 5, 1, 12);
const TTL_MS = 600_000;
const WEBHOOK_SECRET = `whsec_${btoa('tracegate-review-test-secret-0123')}`;
const alice = actor('alice', ['requester']);
const bob = actor('bob', ['reviewer']);
const carol = actor('carol', ['reviewer']);
const mallory = actor('mallory', []);

type Stub = DurableObjectStub<AccessRequest> & AccessRequestRpc;

async function newRequest(overrides: InitOverrides = {}) {
  const id = env.ACCESS_REQUESTS.newUniqueId();
  const stub = env.ACCESS_REQUESTS.get(id) as Stub;
  const init = requestInit({
    requester: alice,
    reviewUrl: `https://gateway.test/review/${id.toString()}`,
    ...overrides,
  });
  const view = await stub.create(init);
  if (view === null) throw new Error('a fresh id already held a request');
  return { stub, id: id.toString(), view, init };
}

async function auditRows(accessRequestId: string) {
  const { results } = await env.AUDIT_DB.prepare(
    'SELECT * FROM audit_events WHERE access_request_id = ? ORDER BY seq',
  )
    .bind(accessRequestId)
    .all<Record<string, unknown>>();
  return results;
}

const indexRow = (id: string) =>
  env.AUDIT_DB.prepare('SELECT * FROM access_requests WHERE id = ?')
    .bind(id)
    .first<Record<string, unknown>>();
const grantRows = async (id: string) =>
  (
    await env.AUDIT_DB.prepare('SELECT * FROM grants WHERE access_request_id = ?')
      .bind(id)
      .all<Record<string, unknown>>()
  ).results;

/** Runs `action` while D1 table `table` is renamed away, so every write to it fails. */
async function withTableAway<T>(table: string, action: () => Promise<T>): Promise<T> {
  await env.AUDIT_DB.exec(`ALTER TABLE ${table} RENAME TO ${table}_away`);
  try {
    return await action();
  } finally {
    await env.AUDIT_DB.exec(`ALTER TABLE ${table}_away RENAME TO ${table}`);
  }
}

function outbox(stub: Stub) {
  return runInDurableObject(stub, (_, state) =>
    state.storage.sql
      .exec<{ kind: string; attempts: number; next_at: number; last_error: string | null }>(
        'SELECT kind, attempts, next_at, last_error FROM outbox ORDER BY seq',
      )
      .toArray(),
  );
}

const alarmOf = (stub: Stub) => runInDurableObject(stub, (_, state) => state.storage.getAlarm());

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('creating a request', () => {
  it('stores it pending under an unguessable id, indexes it, audits it and sets the expiry alarm', async () => {
    const { stub, id, view, init } = await newRequest();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(view).toMatchObject({ id, status: 'pending', createdAt: T0, expiresAt: T0 + TTL_MS });
    expect(await alarmOf(stub)).toBe(T0 + TTL_MS);
    expect(await indexRow(id)).toMatchObject({
      status: 'pending',
      requester_subject: 'alice',
      scope_key: JSON.stringify(['lf', 'review-reads', 'trace', 'GET', null, 't1']),
      reviewer_groups: '["reviewer"]',
      expires_at: T0 + TTL_MS,
    });
    expect(await auditRows(id)).toMatchObject([
      {
        event: 'review_created',
        request_id: init.requestId,
        actor_subject: 'alice',
        namespace: 'lf',
        resource_id: 't1',
        rule_id: 'review-reads',
        reason: 'justification: incident 42',
      },
    ]);
  });

  it('records the path the reader sent on its audit rows, or the stored path for a request from before that field', async () => {
    const { id, init } = await newRequest({ requestPath: '/lf/api/public/traces/t1' });
    expect(init.path).toBe('/api/public/traces/t1');
    expect((await auditRows(id))[0]).toMatchObject({ path: '/lf/api/public/traces/t1' });

    const older = await newRequest();
    await runInDurableObject(older.stub, (_, state) => {
      state.storage.sql.exec(
        "UPDATE access_request SET state = json_remove(state, '$.init.requestPath')",
      );
    });
    expect((await older.stub.cancel(alice)).ok).toBe(true);
    expect((await auditRows(older.id)).map((r) => [r.event, r.path])).toEqual([
      ['review_created', '/lf/api/public/traces/t1'],
      ['review_cancelled', '/api/public/traces/t1'],
    ]);
  });

  it('is idempotent for the same read and refuses to be reused for another', async () => {
    const { stub, id, init } = await newRequest();
    const again = await stub.create(init);
    expect(again?.id).toBe(id);
    expect(await auditRows(id)).toHaveLength(1);
    // Another read's create gets null (not an error) and changes nothing.
    expect(await stub.create({ ...init, requestId: 'another-read' })).toBeNull();
    expect((await stub.view())?.id).toBe(id);
    expect(await auditRows(id)).toHaveLength(1);
  });

  it('answers null for an id that was never created, and stores nothing for it', async () => {
    const stub = env.ACCESS_REQUESTS.get(env.ACCESS_REQUESTS.newUniqueId()) as Stub;
    expect(await stub.view()).toBeNull();
    const refusal = await runInDurableObject(stub, (instance: AccessRequest) =>
      instance.decide(bob, 'approve', { reason: null }).then(
        () => 'decided',
        (error: unknown) => String(error),
      ),
    );
    expect(refusal).toMatch(/not found/);
    const tables = await runInDurableObject(stub, (_, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray(),
    );
    expect(tables.map((t) => t.name)).not.toContain('access_request');
  });
});

describe('deciding', () => {
  it('approves, writes the grant and the audit in order, and clears the alarm', async () => {
    const { stub, id } = await newRequest();
    vi.setSystemTime(T0 + 1000);
    const result = await stub.decide(bob, 'approve', {
      reason: 'looks fine',
      grantTtlSeconds: 900,
      requestId: 'api-call-1',
    });
    expect(result.ok).toBe(true);
    expect(result.view).toMatchObject({ status: 'approved' });
    expect(result.view.grant).toMatchObject({ scope: 'trace', expiresAt: T0 + 1000 + 900_000 });
    expect((await auditRows(id)).map((r) => [r.event, r.actor_subject, r.request_id])).toEqual([
      ['review_created', 'alice', expect.any(String)],
      ['review_decision', 'bob', 'api-call-1'],
      ['review_approved', 'alice', 'api-call-1'],
    ]);
    expect(await grantRows(id)).toMatchObject([
      {
        grantee_subject: 'alice',
        namespace: 'lf',
        rule_id: 'review-reads',
        scope: 'trace',
        resource_id: 't1',
        expires_at: T0 + 1000 + 900_000,
      },
    ]);
    expect(await indexRow(id)).toMatchObject({
      status: 'approved',
      approvals: 1,
      decided_at: T0 + 1000,
    });
    expect(await outbox(stub)).toEqual([]);
    expect(await alarmOf(stub)).toBeNull();
  });

  it('refuses self-approval and non-reviewers, and audits each refusal', async () => {
    const erin = actor('erin', ['requester', 'reviewer']);
    const { stub, id } = await newRequest({ requester: erin });
    expect(await stub.decide(erin, 'approve', { reason: null })).toMatchObject({
      ok: false,
      reason: 'self_approval',
    });
    expect(await stub.decide(mallory, 'approve', { reason: null })).toMatchObject({
      ok: false,
      reason: 'not_a_reviewer',
    });
    expect((await stub.view())?.status).toBe('pending');
    expect(
      (await auditRows(id)).filter((r) => r.event === 'review_decision').map((r) => r.reason),
    ).toEqual(['approve refused: self_approval', 'approve refused: not_a_reviewer']);
    expect(await grantRows(id)).toEqual([]);
  });

  it('counts a reviewer in two groups once, however often they approve', async () => {
    const both = actor('bob', ['reviewer', 'security']);
    const { stub, id } = await newRequest({
      review: { approvals: 2, reviewerGroups: ['reviewer', 'security'] },
    });
    await stub.decide(both, 'approve', { reason: null });
    const again = await stub.decide(both, 'approve', { reason: null });
    expect(again).toMatchObject({ ok: true, view: { status: 'pending' } });
    expect(again.view.decisions).toHaveLength(1);
    expect((await indexRow(id))?.approvals).toBe(1);
    const second = await stub.decide(carol, 'approve', { reason: null });
    expect(second.view.status).toBe('approved');
    expect((await auditRows(id)).filter((r) => r.event === 'review_approved')).toHaveLength(1);
  });

  it('denies with the reason, and refuses a deny without one', async () => {
    const { stub, id } = await newRequest();
    expect(await stub.decide(bob, 'deny', { reason: '  ' })).toMatchObject({
      ok: false,
      reason: 'reason_required',
    });
    const denied = await stub.decide(bob, 'deny', { reason: 'not for this incident' });
    expect(denied.view).toMatchObject({ status: 'denied', denyReason: 'not for this incident' });
    expect(await auditRows(id)).toContainEqual(
      expect.objectContaining({ event: 'review_denied', reason: 'not for this incident' }),
    );
    expect(await grantRows(id)).toEqual([]);
  });
});

describe('cancelling', () => {
  it('lets only the requester cancel, and wakes the waiting read', async () => {
    const { stub, id } = await newRequest();
    expect(await stub.cancel(bob)).toMatchObject({ ok: false, reason: 'not_requester' });
    const waiting = stub.waitForDecision(30_000);
    const cancelled = await stub.cancel(alice);
    expect(cancelled).toMatchObject({ ok: true, view: { status: 'cancelled' } });
    expect((await waiting).view.status).toBe('cancelled');
    expect((await indexRow(id))?.status).toBe('cancelled');
    expect(await auditRows(id)).toContainEqual(
      expect.objectContaining({ event: 'review_cancelled', actor_subject: 'alice' }),
    );
  });
});

describe('waiting for a decision', () => {
  it('wakes a waiter as soon as the approval lands, long before its timeout', async () => {
    const { stub } = await newRequest();
    const started = performance.now();
    const waiting = stub.waitForDecision(60_000);
    await stub.decide(bob, 'approve', { reason: null });
    const { view, tooManyWaiters } = await waiting;
    expect(view.status).toBe('approved');
    expect(tooManyWaiters).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('returns the pending request at the timeout, and the request stays pending', async () => {
    const { stub } = await newRequest();
    const { view } = await stub.waitForDecision(50);
    expect(view.status).toBe('pending');
    // A caller that gave up earlier (its promise dropped) leaves nothing behind.
    void stub.waitForDecision(100);
    expect((await stub.decide(bob, 'approve', { reason: null })).view.status).toBe('approved');
  });

  it('holds at most MAX_WAITERS callers; the next is answered at once, and all wake on the decision', async () => {
    const { stub } = await newRequest();
    const held = Array.from({ length: MAX_WAITERS }, () => stub.waitForDecision(60_000));
    // Each wait has reached the object once a later call is answered behind it.
    await stub.view();
    const started = performance.now();
    const refused = await stub.waitForDecision(60_000);
    expect(refused).toMatchObject({ tooManyWaiters: true, view: { status: 'pending' } });
    expect(performance.now() - started).toBeLessThan(5_000);
    await stub.decide(bob, 'approve', { reason: null });
    const woken = await Promise.all(held);
    expect(woken.map((w) => [w.view.status, w.tooManyWaiters])).toEqual(
      Array.from({ length: MAX_WAITERS }, () => ['approved', false]),
    );
  });

  it('is the cap the README and STORAGE.md state', () => {
    // Prose wraps lines: match with runs of white space as one space.
    const stated = (text: string, pattern: RegExp) => text.replace(/\s+/g, ' ').match(pattern)?.[1];
    expect(stated(readme, /At most (\d+) calls wait on one request/)).toBe(String(MAX_WAITERS));
    expect(stated(readme, /at most (\d+) per object/)).toBe(String(MAX_WAITERS));
    expect(stated(storageNotes, /`MAX_WAITERS` \((\d+)\) per object/)).toBe(String(MAX_WAITERS));
  });

  it('frees a waiter slot when a wait times out', async () => {
    const { stub } = await newRequest();
    const held = Array.from({ length: MAX_WAITERS }, () => stub.waitForDecision(100));
    await Promise.all(held);
    expect((await stub.waitForDecision(50)).tooManyWaiters).toBe(false);
  });

  it('returns at once for a request that is already decided', async () => {
    const { stub } = await newRequest();
    await stub.decide(bob, 'deny', { reason: 'no' });
    expect((await stub.waitForDecision(60_000)).view.status).toBe('denied');
  });
});

describe('expiry', () => {
  it('expires the request when its alarm runs at the deadline', async () => {
    const { stub, id } = await newRequest();
    vi.setSystemTime(T0 + TTL_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.view())?.status).toBe('expired');
    expect(await indexRow(id)).toMatchObject({ status: 'expired', decided_at: T0 + TTL_MS });
    expect((await auditRows(id)).map((r) => r.event)).toEqual(['review_created', 'review_expired']);
    expect(await alarmOf(stub)).toBeNull();
  });

  it('refuses approvals racing an expiry that is due, and expires exactly once', async () => {
    const { stub, id } = await newRequest({ review: { approvals: 2 } });
    vi.setSystemTime(T0 + TTL_MS + 1);
    const [first, second] = await Promise.all([
      stub.decide(bob, 'approve', { reason: null }),
      stub.decide(carol, 'approve', { reason: null }),
      runDurableObjectAlarm(stub),
    ]);
    expect(first).toMatchObject({ ok: false, reason: 'not_pending', view: { status: 'expired' } });
    expect(second).toMatchObject({ ok: false, reason: 'not_pending' });
    expect((await auditRows(id)).filter((r) => r.event === 'review_expired')).toHaveLength(1);
    expect(await grantRows(id)).toEqual([]);
  });

  it('lets concurrent approvals before the deadline approve exactly once', async () => {
    const { stub, id } = await newRequest({ review: { approvals: 2 } });
    vi.setSystemTime(T0 + TTL_MS - 1);
    await Promise.all([
      stub.decide(bob, 'approve', { reason: null }),
      stub.decide(carol, 'approve', { reason: null }),
      stub.decide(bob, 'approve', { reason: null }),
      runDurableObjectAlarm(stub),
    ]);
    expect((await stub.view())?.status).toBe('approved');
    expect((await auditRows(id)).filter((r) => r.event === 'review_approved')).toHaveLength(1);
    expect(await grantRows(id)).toHaveLength(1);
  });

  it('reports an overdue request as expired even before the alarm runs', async () => {
    const { stub } = await newRequest();
    vi.setSystemTime(T0 + TTL_MS + 5);
    expect((await stub.view())?.status).toBe('expired');
    expect((await stub.waitForDecision(60_000)).view.status).toBe('expired');
  });
});

describe('the D1 outbox', () => {
  it('keeps index writes that fail and completes them when D1 is back', async () => {
    const { stub, id } = await withTableAway('access_requests', async () => {
      const created = await newRequest();
      expect(await outbox(created.stub)).toMatchObject([{ kind: 'index', attempts: 1 }]);
      return created;
    });
    const [pendingWrite] = await outbox(stub);
    expect(await alarmOf(stub)).toBe(pendingWrite?.next_at);
    vi.setSystemTime(pendingWrite?.next_at ?? T0);
    await runDurableObjectAlarm(stub);
    expect(await outbox(stub)).toEqual([]);
    expect((await indexRow(id))?.status).toBe('pending');
    expect(await alarmOf(stub)).toBe(T0 + TTL_MS);
  });
});

describe('audit rows through the outbox', () => {
  it('keep the id they were queued with, so a retry of a write that reached D1 adds no row', async () => {
    const { stub, id } = await withTableAway('audit_events', () => newRequest());
    const queued = await runInDurableObject(stub, (_, state) =>
      state.storage.sql
        .exec<{ item: string; next_at: number }>(
          "SELECT item, next_at FROM outbox WHERE kind = 'audit' ORDER BY seq",
        )
        .toArray(),
    );
    expect(queued).toHaveLength(1);
    const item = JSON.parse(queued[0]?.item ?? '{}') as { event: AuditEvent };
    expect(item.event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    // The write reached D1 and only its answer was lost: the row is there.
    await createD1AuditLog(env.AUDIT_DB, Date.now, env).write(item.event);
    vi.setSystemTime(queued[0]?.next_at ?? T0);
    await runDurableObjectAlarm(stub);
    expect(await outbox(stub)).toEqual([]);
    const rows = await auditRows(id);
    expect(rows.map((row) => [row.event, row.event_id])).toEqual([
      ['review_created', item.event.eventId],
    ]);
    // Ids stay dense: the retry that added nothing took no sequence number.
    await createD1AuditLog(env.AUDIT_DB, Date.now, env).write({
      ...item.event,
      eventId: undefined,
    });
    const [first, second] = await auditRows(id);
    expect(Number(second?.seq)).toBe(Number(first?.seq) + 1);
  });
});

describe('the D1 outbox order', () => {
  it('holds later writes behind a failed one, and sets the alarm for the failed one only', async () => {
    const { stub, id } = await newRequest();
    await withTableAway('grants', async () => {
      await stub.decide(bob, 'approve', { reason: null });
    });
    const queued = await outbox(stub);
    expect(queued).toMatchObject([
      { kind: 'grant', attempts: 1, next_at: T0 + 2000 },
      { kind: 'index', attempts: 0, next_at: T0 },
    ]);
    // Not the index write's past time: that would fire the alarm in a loop.
    expect(await alarmOf(stub)).toBe(T0 + 2000);
    expect((await indexRow(id))?.status).toBe('pending');
    vi.setSystemTime(T0 + 2000);
    await runDurableObjectAlarm(stub);
    expect(await outbox(stub)).toEqual([]);
    expect(await grantRows(id)).toHaveLength(1);
    expect((await indexRow(id))?.status).toBe('approved');
    expect(await alarmOf(stub)).toBeNull();
  });
});

describe('notifications', () => {
  const webhook: NotifyTarget = {
    kind: 'webhook',
    url: 'https://hooks.example.test/reviews',
    secret: 'TEST_REVIEW_WEBHOOK_SECRET',
  };
  const slack: NotifyTarget = {
    kind: 'slack',
    url: 'https://hooks.slack.test/services/T000/B000/secret-token',
  };
  let delivered: { url: string; headers: Headers; body: string }[];

  function mockDeliveries(status: (url: string) => number) {
    delivered = [];
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      delivered.push({ url: request.url, headers: request.headers, body: await request.text() });
      return new Response(null, { status: status(request.url) });
    });
  }

  beforeEach(() => {
    (env as unknown as Record<string, unknown>).TEST_REVIEW_WEBHOOK_SECRET = WEBHOOK_SECRET;
  });

  it('sends a Standard Webhooks signed payload and a Slack message with a Review link on create', async () => {
    mockDeliveries(() => 204);
    const { stub, id } = await newRequest({ notify: [webhook, slack] });
    expect(await outbox(stub)).toMatchObject([{ kind: 'notify' }, { kind: 'notify' }]);
    expect(await alarmOf(stub)).toBe(T0);
    await runDurableObjectAlarm(stub);
    expect(delivered.map((d) => d.url)).toEqual([webhook.url, slack.url]);

    const [hook, chat] = delivered;
    const headers = Object.fromEntries(hook?.headers ?? []);
    const payload = new Webhook(WEBHOOK_SECRET).verify(hook?.body ?? '', headers);
    expect(payload).toMatchObject({
      type: 'access_request.created',
      data: {
        id,
        status: 'pending',
        requester: { subject: 'alice', email: 'alice@example.test' },
        namespace: 'lf',
        resourceId: 't1',
        ruleId: 'review-reads',
        justification: 'incident 42',
        reviewUrl: `https://gateway.test/review/${id}`,
        expiresAt: new Date(T0 + TTL_MS).toISOString(),
      },
    });
    expect(() =>
      new Webhook(`whsec_${btoa('some-other-secret-0123456789abcd')}`).verify(
        hook?.body ?? '',
        headers,
      ),
    ).toThrow();

    const message = JSON.parse(chat?.body ?? '{}') as { text: string; blocks: unknown[] };
    expect(message.text).toContain(`https://gateway.test/review/${id}`);
    expect(JSON.stringify(message.blocks)).toContain(
      JSON.stringify({ type: 'plain_text', text: 'Review' }),
    );
    expect(chat?.headers.get('webhook-signature')).toBeNull();
    expect(await outbox(stub)).toEqual([]);
    expect(await alarmOf(stub)).toBe(T0 + TTL_MS);
  });

  it('notifies the decision and the expiry too', async () => {
    mockDeliveries(() => 200);
    const approved = await newRequest({ notify: [webhook] });
    await approved.stub.decide(bob, 'approve', { reason: null });
    await runDurableObjectAlarm(approved.stub);
    const expired = await newRequest({ notify: [webhook] });
    vi.setSystemTime(T0 + TTL_MS);
    await runDurableObjectAlarm(expired.stub);
    const types = delivered.map((d) => (JSON.parse(d.body) as { type: string }).type);
    expect(types).toEqual([
      'access_request.created',
      'access_request.approved',
      'access_request.created',
      'access_request.expired',
    ]);
  });

  it('retries a failing target with backoff, then audits notify_failed and keeps the request', async () => {
    mockDeliveries((url) => (url === slack.url ? 503 : 200));
    const { stub, id } = await newRequest({ notify: [webhook, slack] });
    await runDurableObjectAlarm(stub);
    const delays: number[] = [];
    for (let attempt = 1; attempt < 5; attempt++) {
      const [retry] = await outbox(stub);
      expect(retry).toMatchObject({ kind: 'notify', attempts: attempt, last_error: 'HTTP 503' });
      delays.push((retry?.next_at ?? 0) - Date.now());
      expect(await alarmOf(stub)).toBe(retry?.next_at);
      vi.setSystemTime(retry?.next_at ?? 0);
      await runDurableObjectAlarm(stub);
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(delivered.filter((d) => d.url === slack.url)).toHaveLength(5);
    expect(delivered.filter((d) => d.url === webhook.url)).toHaveLength(1);
    expect(await outbox(stub)).toEqual([]);
    const failed = (await auditRows(id)).filter((r) => r.event === 'notify_failed');
    expect(failed).toMatchObject([
      {
        decision: 'access_request.created',
        reason: 'slack https://hooks.slack.test: HTTP 503 (after 5 attempts)',
      },
    ]);
    expect(String(failed[0]?.reason)).not.toContain('secret-token');
    expect((await stub.view())?.status).toBe('pending');
    expect(await alarmOf(stub)).toBe(T0 + TTL_MS);
  });

  it('gives up at once, audited, when the signing secret is not set', async () => {
    mockDeliveries(() => 200);
    const { stub, id } = await newRequest({
      notify: [{ ...webhook, secret: 'NO_SUCH_WEBHOOK_SECRET' }],
    });
    await runDurableObjectAlarm(stub);
    expect(delivered).toEqual([]);
    expect(await auditRows(id)).toContainEqual(
      expect.objectContaining({
        event: 'notify_failed',
        reason: expect.stringContaining('NO_SUCH_WEBHOOK_SECRET is not set'),
      }),
    );
    expect(await outbox(stub)).toEqual([]);
  });
});
