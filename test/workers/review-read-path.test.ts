// Step 5 of the read path inside workerd: a read the policy sends to review
// gets no trace bytes until a reviewer approves, is held or answered 202, and
// is served under the grant afterwards, within the grant's scope and TTL only.
// Real tokens, D1, Durable Objects; a scripted trace store; a frozen clock
// (Date only) well ahead of real time, so alarms run only when a test runs them.
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_WAITERS } from '../../durable-objects/access-request-contract.ts';
import {
  createReviewHarness,
  eventually,
  PII_EMAIL,
  type ReviewHarness,
} from '../../worker/review/testing/review-app-harness.ts';

const T0 = Date.UTC(2031, 6, 1, 9);
const TRACE = '/lf/api/public/traces/t1';
const WHY = { 'tracegate-justification': 'INC-42: checking a bad answer' };

let h: ReviewHarness;
let who: number;
/** Fresh subjects per test: grants and pending requests never leak between tests. */
let alice: string;
let frank: string;

beforeAll(async () => {
  h = await createReviewHarness();
});

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  who = Math.floor(Math.random() * 1e9);
  alice = `alice-${who}`;
  frank = `frank-${who}`;
  h.upstreamRequests.length = 0;
  await h.token(alice, ['requester']);
  await h.token(frank, ['requester']);
  await h.token('bob', ['reviewer']);
  await h.token('carol', ['reviewer']);
  await h.token('sec', ['security']);
});

afterEach(() => {
  vi.useRealTimers();
});

async function requestAndApprove(path: string, body: Record<string, unknown> = {}) {
  const first = await h.send(path, { as: alice, headers: WHY });
  expect(first.response.status).toBe(202);
  const id = String(first.json().id);
  const approved = await h.send(`/v1/requests/${id}/approve`, {
    as: 'bob',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(approved.response.status).toBe(200);
  return id;
}

describe('a read that needs review', () => {
  it('answers 202 with Location, Retry-After and the request, and asks the store nothing', async () => {
    const { response, json } = await h.send(TRACE, { as: alice, headers: WHY });
    expect(response.status).toBe(202);
    const body = json();
    const id = String(body.id);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(response.headers.get('location')).toBe(`/v1/requests/${id}`);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('preference-applied')).toBeNull();
    expect(body).toEqual({
      id,
      status: 'pending',
      reviewUrl: `http://localhost:8787/review/${id}`,
      expiresAt: new Date(T0 + 600_000).toISOString(),
      approvalsRequired: 1,
      approvals: 0,
    });
    expect(h.upstreamRequests).toHaveLength(0);
    const requestId = response.headers.get('x-request-id') ?? '';
    expect((await h.auditRows({ requestId })).map((r) => [r.event, r.decision])).toEqual([
      ['decision', 'review'],
      ['review_created', 'pending'],
    ]);
  });

  it('reuses the pending request when the same requester asks again for the same trace', async () => {
    const first = await h.send(TRACE, { as: alice, headers: WHY });
    const again = await h.send(`${TRACE}/observations`, { as: alice, headers: WHY });
    expect(again.json().id).toBe(first.json().id);
    const other = await h.send(TRACE, { as: frank, headers: WHY });
    expect(other.json().id).not.toBe(first.json().id);
    const rows = await h.auditRows({ accessRequestId: String(first.json().id) });
    expect(rows.filter((r) => r.event === 'review_created')).toHaveLength(1);
  });

  it('opens one request when several reads of the same scope race to open one', async () => {
    const racing = await Promise.all(
      Array.from({ length: 6 }, () => h.send(TRACE, { as: alice, headers: WHY })),
    );
    expect(racing.map((r) => r.response.status)).toEqual(Array(6).fill(202));
    const ids = new Set(racing.map((r) => String(r.json().id)));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const rows = await h.auditRows({ accessRequestId: id ?? '' });
    expect(rows.filter((r) => r.event === 'review_created')).toHaveLength(1);
    // Another requester, or the same one on another trace, gets a request of their own.
    const other = await h.send(TRACE, { as: frank, headers: WHY });
    const elsewhere = await h.send('/lf/api/public/traces/t2', { as: alice, headers: WHY });
    expect(new Set([id, other.json().id, elsewhere.json().id]).size).toBe(3);
  });

  it('opens a new request, with a new id, once the previous one for the scope is over', async () => {
    const first = String((await h.send(TRACE, { as: alice, headers: WHY })).json().id);
    const cancelled = await h.send(`/v1/requests/${first}/cancel`, { as: alice, method: 'POST' });
    expect(cancelled.response.status).toBe(200);
    const second = String((await h.send(TRACE, { as: alice, headers: WHY })).json().id);
    expect(second).not.toBe(first);
    const third = String((await h.send(TRACE, { as: alice, headers: WHY })).json().id);
    expect(third).toBe(second);
  });

  it('still opens requests without SESSION_SECRET (random ids, no de-duplication)', async () => {
    const bindings = { SESSION_SECRET: undefined };
    const first = await h.send(TRACE, { as: alice, headers: WHY, bindings });
    expect(first.response.status).toBe(202);
    expect(String(first.json().id)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a read without the justification the rule requires, and opens nothing', async () => {
    const { response, json } = await h.send(TRACE, { as: alice });
    expect(response.status).toBe(400);
    expect(json()).toMatchObject({ code: 'justification_required' });
    expect(await h.latestRequestOf(alice)).toBeNull();
    const long = await h.send(TRACE, {
      as: alice,
      headers: { 'tracegate-justification': 'x'.repeat(1001) },
    });
    expect(long.response.status).toBe(400);
    expect(long.json()).toMatchObject({ code: 'bad_request' });
  });

  it('takes non-ASCII justifications as UTF-8 percent-encoded (RFC 8187), decoded for reviewers', async () => {
    const why = 'Überprüfung: 顧客の報告 — INC-9';
    const first = await h.send(TRACE, {
      as: alice,
      headers: { 'tracegate-justification': `UTF-8''${encodeURIComponent(why)}` },
    });
    expect(first.response.status).toBe(202);
    const view = await h.send(`/v1/requests/${String(first.json().id)}`, { as: 'bob' });
    expect(view.json()).toMatchObject({ justification: why });
  });

  it('takes right-to-left and Persian justifications with their direction marks and non-joiners', async () => {
    // Hebrew with a right-to-left mark, Persian with a zero-width non-joiner, Arabic with ALM.
    for (const why of ['בדיקה של INC-9\u200f', 'می\u200cخواهم ببینم', '\u061cتحقيق 42']) {
      const first = await h.send(TRACE, {
        as: alice,
        headers: { 'tracegate-justification': `UTF-8''${encodeURIComponent(why)}` },
      });
      expect([why, first.response.status]).toEqual([why, 202]);
      const view = await h.send(`/v1/requests/${String(first.json().id)}`, { as: 'bob' });
      expect(view.json()).toMatchObject({ justification: why });
      // Cancelled, so the next read opens a request of its own instead of joining this one.
      const cancel = `/v1/requests/${String(first.json().id)}/cancel`;
      expect((await h.send(cancel, { as: alice, method: 'POST' })).response.status).toBe(200);
    }
  });

  it('refuses justifications that would mislead a reviewer or arrive mangled, and opens nothing', async () => {
    for (const value of [
      "UTF-8''%E0%A4%A", // broken percent-encoding
      "UTF-8''%FF%FE", // not UTF-8
      `UTF-8''${encodeURIComponent('approve \u202Eeludom')}`, // a right-to-left override
      `UTF-8''${encodeURIComponent('line\nbreak')}`, // a control character
      `UTF-8''${encodeURIComponent('zero\u200Bwidth')}`, // a zero-width space
      `UTF-8''${encodeURIComponent('x\u2067y\u2069')}`, // a right-to-left isolate
      `UTF-8''${encodeURIComponent('hidden \u{E0069}\u{E0067}')}`, // Unicode tag characters
      `UTF-8''${encodeURIComponent('para\u2029graph')}`, // a paragraph separator
      `UTF-8''${encodeURIComponent('é'.repeat(1001))}`, // too long once decoded
      'caf\u00e9', // raw Latin-1 bytes: mojibake of whatever the client meant
    ]) {
      const { response, json } = await h.send(TRACE, {
        as: alice,
        headers: { 'tracegate-justification': value },
      });
      expect([value, response.status]).toEqual([value, 400]);
      expect(json()).toMatchObject({ code: 'bad_request' });
    }
    expect(await h.latestRequestOf(alice)).toBeNull();
  });

  it('refuses a trace id a reviewer could not read as sent, and opens nothing', async () => {
    // A trace id is no prose: even a non-joiner or a direction mark could make two ids look alike.
    for (const id of [
      'abc%60%0A*Justification:*%20approved',
      'x%E2%80%AEgpj',
      'a%E2%80%8Bb',
      'a%E2%80%8Cb',
      'a%E2%80%8Fb',
    ]) {
      const { response, json } = await h.send(`/lf/api/public/traces/${id}`, {
        as: alice,
        headers: WHY,
      });
      expect([id, response.status]).toEqual([id, 400]);
      expect(json()).toMatchObject({ code: 'bad_request' });
    }
    expect(await h.latestRequestOf(alice)).toBeNull();
  });
});

describe('after an approval', () => {
  it('records the full request path on the review’s audit rows, as on the read’s own rows', async () => {
    const id = await requestAndApprove(TRACE);
    const served = await h.send(TRACE, { as: alice });
    expect(served.response.status).toBe(200);
    const review = await h.auditRows({ accessRequestId: id });
    expect(review.map((r) => r.event)).toEqual(
      expect.arrayContaining([
        'review_created',
        'review_decision',
        'review_approved',
        'grant_used',
      ]),
    );
    const read = await h.auditRows({
      requestId: served.response.headers.get('x-request-id') ?? '',
    });
    expect(new Set([...review, ...read].map((r) => r.path))).toEqual(new Set([TRACE]));
  });

  it('serves the retried read under the grant, audited as grant_used before the store is asked', async () => {
    const id = await requestAndApprove(TRACE);
    const { response, body } = await h.send(TRACE, { as: alice });
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ id: 't1', observations: [] });
    expect(h.upstreamRequests).toHaveLength(1);
    const rows = await h.auditRows({ requestId: response.headers.get('x-request-id') ?? '' });
    expect(rows.map((r) => r.event)).toEqual(['decision', 'grant_used', 'completed']);
    expect(rows[1]).toMatchObject({
      access_request_id: id,
      actor_subject: alice,
      decision: 'allow',
    });
  });

  it('opens other paths of the same trace under a trace grant, but never another trace', async () => {
    await requestAndApprove(TRACE);
    expect((await h.send(`${TRACE}/observations`, { as: alice })).response.status).toBe(200);
    const other = await h.send('/lf/api/public/traces/t2', { as: alice, headers: WHY });
    expect(other.response.status).toBe(202);
    expect(h.upstreamRequests.map((r) => new URL(r.url).pathname)).toEqual([
      '/api/public/traces/t1/observations',
    ]);
  });

  it('covers the trace wherever it is named, in the path or in the query, under a trace grant', async () => {
    const id = await requestAndApprove('/lf/api/public/observations?traceId=t1');
    expect((await h.send(`/v1/requests/${id}`, { as: alice })).json()).toMatchObject({
      resourceId: 't1',
    });
    expect((await h.send(TRACE, { as: alice })).response.status).toBe(200);
    const listing = '/lf/api/public/observations?traceId=t1';
    expect((await h.send(listing, { as: alice })).response.status).toBe(200);
    const other = await h.send('/lf/api/public/observations?traceId=t2', {
      as: alice,
      headers: WHY,
    });
    expect(other.response.status).toBe(202);
    const otherId = String(other.json().id);
    expect((await h.send(`/v1/requests/${otherId}`, { as: alice })).json()).toMatchObject({
      resourceId: 't2',
    });
    expect(
      h.upstreamRequests.map((r) => `${new URL(r.url).pathname}${new URL(r.url).search}`),
    ).toEqual(['/api/public/traces/t1', '/api/public/observations?traceId=t1']);
  });

  it('masks what the grant releases, held or retried, with counts in the audit', async () => {
    const masked = '/lfmask/api/public/traces/pii-1';
    const first = await h.send(masked, { as: alice });
    expect(first.response.status).toBe(202);
    const id = String(first.json().id);
    // Held on the same pending request (or served at once if the approval wins the race).
    const held = h.send(masked, { as: alice, headers: { prefer: 'wait=10' } });
    const approved = await h.send(`/v1/requests/${id}/approve`, { as: 'bob', method: 'POST' });
    expect(approved.response.status).toBe(200);
    for (const served of [await held, await h.send(masked, { as: alice })]) {
      expect(served.response.status).toBe(200);
      expect(served.body).not.toContain(PII_EMAIL);
      expect(served.json()).toEqual({ id: 'pii-1', input: 'mail [EMAIL] please' });
      const rows = await h.auditRows({
        requestId: served.response.headers.get('x-request-id') ?? '',
      });
      const completed = rows.find((r) => r.event === 'completed');
      expect(JSON.parse(String(completed?.mask_counts))).toEqual({ EMAIL: 1 });
    }
  });

  it('serves a read that lands between the approval and the grant’s index row, without a second request', async () => {
    const id = await requestAndApprove(TRACE);
    // The index as a read could find it a moment after the approval: the
    // object has decided, but its grant row and status update are not in D1 yet.
    await env.AUDIT_DB.batch([
      env.AUDIT_DB.prepare('DELETE FROM grants WHERE access_request_id = ?').bind(id),
      env.AUDIT_DB.prepare("UPDATE access_requests SET status = 'pending' WHERE id = ?").bind(id),
    ]);
    const served = await h.send(TRACE, { as: alice, headers: WHY });
    expect(served.response.status).toBe(200);
    expect((await h.latestRequestOf(alice))?.id).toBe(id);
    expect(h.upstreamRequests).toHaveLength(1);
  });

  it('opens only the same path under a request grant', async () => {
    await requestAndApprove('/lfreq/api/public/traces/t1');
    expect((await h.send('/lfreq/api/public/traces/t1', { as: alice })).response.status).toBe(200);
    const sibling = await h.send('/lfreq/api/public/traces/t1/observations', { as: alice });
    expect(sibling.response.status).toBe(202);
    expect(h.upstreamRequests).toHaveLength(1);
  });

  it('opens only the same query under a request grant: the one the reviewer saw', async () => {
    const listing = '/lfreq/api/public/traces';
    const id = await requestAndApprove(`${listing}?userId=u1&page=2`);
    const asked = await h.send(`/v1/requests/${id}`, { as: 'bob' });
    expect(asked.json()).toMatchObject({ path: '/api/public/traces?userId=u1&page=2' });
    // The same pairs, however they were encoded, are the same request.
    const same = await h.send(`${listing}?%75serId=u1&page=2`, { as: alice });
    expect(same.response.status).toBe(200);
    expect(new URL(h.upstreamRequests[0]?.url ?? '').search).toBe('?userId=u1&page=2');
    // The review's rows and the read's name the query the reviewer saw.
    const rows = [
      ...(await h.auditRows({ accessRequestId: id })),
      ...(await h.auditRows({ requestId: same.response.headers.get('x-request-id') ?? '' })),
    ];
    expect(new Set(rows.map((r) => r.path))).toEqual(new Set([`${listing}?userId=u1&page=2`]));
    for (const other of ['?userId=u2&page=2', '?userId=u1', '?page=2&userId=u1', '']) {
      const { response } = await h.send(`${listing}${other}`, { as: alice });
      expect([other, response.status]).toEqual([other, 202]);
    }
    expect(h.upstreamRequests).toHaveLength(1);
  });

  it('never serves another principal under alice’s grant', async () => {
    await requestAndApprove(TRACE);
    const { response } = await h.send(TRACE, { as: frank, headers: WHY });
    expect(response.status).toBe(202);
    expect(h.upstreamRequests).toHaveLength(0);
  });

  it('stops serving when the grant expires, and asks again', async () => {
    const id = await requestAndApprove(TRACE, { grantSeconds: 60 });
    vi.setSystemTime(T0 + 59_000);
    expect((await h.send(TRACE, { as: alice })).response.status).toBe(200);
    vi.setSystemTime(T0 + 60_000);
    await h.token(alice, ['requester']);
    const after = await h.send(TRACE, { as: alice, headers: WHY });
    expect(after.response.status).toBe(202);
    expect(after.json().id).not.toBe(id);
    expect(h.upstreamRequests).toHaveLength(1);
  });

  it('needs every required approval: one of two approvals opens nothing', async () => {
    const path = '/lfns/api/public/traces/t9';
    const first = await h.send(path, { as: alice });
    const id = String(first.json().id);
    await h.send(`/v1/requests/${id}/approve`, { as: 'bob', method: 'POST' });
    const half = await h.send(path, { as: alice });
    expect(half.response.status).toBe(202);
    expect(half.json()).toMatchObject({ id, approvals: 1, approvalsRequired: 2 });
    await h.send(`/v1/requests/${id}/approve`, { as: 'sec', method: 'POST' });
    expect((await h.send('/lfns/anything/else', { as: alice })).response.status).toBe(200);
    expect(h.upstreamRequests).toHaveLength(1);
  });
});

describe('a held read (Prefer: wait)', () => {
  it('is woken by an approval and receives the trace on the same response', async () => {
    const held = h.send(TRACE, { as: alice, headers: { ...WHY, prefer: 'wait=20' } });
    const row = await eventually(() => h.latestRequestOf(alice));
    const approve = await h.send(`/v1/requests/${String(row.id)}/approve`, {
      as: 'bob',
      method: 'POST',
    });
    expect(approve.response.status).toBe(200);
    const { response, body } = await held;
    expect(response.status).toBe(200);
    expect(response.headers.get('preference-applied')).toBe('wait=20');
    expect(JSON.parse(body)).toEqual({ id: 't1', observations: [] });
    const rows = await h.auditRows({ requestId: response.headers.get('x-request-id') ?? '' });
    expect(rows.map((r) => r.event)).toEqual([
      'decision',
      'review_created',
      'grant_used',
      'completed',
    ]);
  });

  it('is told of a deny with 403 and the reviewer’s reason', async () => {
    const held = h.send(TRACE, {
      as: alice,
      headers: { ...WHY, prefer: 'respond-async, wait=20' },
    });
    const row = await eventually(() => h.latestRequestOf(alice));
    await h.send(`/v1/requests/${String(row.id)}/deny`, {
      as: 'bob',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'use the redacted export instead' }),
    });
    const { response, json } = await held;
    expect(response.status).toBe(403);
    expect(json()).toMatchObject({
      code: 'review_denied',
      detail: 'A reviewer denied this request: use the redacted export instead',
      accessRequestId: row.id,
    });
    expect(h.upstreamRequests).toHaveLength(0);
  });

  it('gets 410 when the request expires while it waits', async () => {
    const held = h.send(TRACE, { as: alice, headers: { ...WHY, prefer: 'wait=20' } });
    const row = await eventually(() => h.latestRequestOf(alice));
    vi.setSystemTime(T0 + 600_000);
    await runDurableObjectAlarm(h.stub(String(row.id)));
    const { response, json } = await held;
    expect(response.status).toBe(410);
    expect(json()).toMatchObject({ code: 'review_expired', accessRequestId: row.id });
  });

  it('gets 410 when the requester cancels while it waits', async () => {
    const held = h.send(TRACE, { as: alice, headers: { ...WHY, prefer: 'wait=20' } });
    const row = await eventually(() => h.latestRequestOf(alice));
    const cancel = await h.send(`/v1/requests/${String(row.id)}/cancel`, {
      as: alice,
      method: 'POST',
    });
    expect(cancel.response.status).toBe(200);
    expect((await held).response.status).toBe(410);
  });

  it('answers 202 with Preference-Applied when nobody decides in time', async () => {
    const { response, json } = await h.send(TRACE, {
      as: alice,
      headers: { ...WHY, prefer: 'wait=1' },
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('preference-applied')).toBe('wait=1');
    expect(json()).toMatchObject({ status: 'pending' });
  });

  it('is answered at once, without Preference-Applied, when the request already holds its most waiters', async () => {
    const first = await h.send(TRACE, { as: alice, headers: WHY });
    const id = String(first.json().id);
    const stub = h.stub(id);
    const waiting = Array.from({ length: MAX_WAITERS }, () => stub.waitForDecision(60_000));
    await stub.view();
    const read = await h.send(TRACE, { as: alice, headers: { ...WHY, prefer: 'wait=20' } });
    expect(read.response.status).toBe(202);
    expect(read.json()).toMatchObject({ id, status: 'pending' });
    expect(read.response.headers.get('preference-applied')).toBeNull();
    const polled = await h.send(`/v1/requests/${id}`, {
      as: alice,
      headers: { prefer: 'wait=20' },
    });
    expect(polled.response.status).toBe(200);
    expect(polled.json()).toMatchObject({ id, status: 'pending' });
    expect(polled.response.headers.get('preference-applied')).toBeNull();
    await h.send(`/v1/requests/${id}/approve`, { as: 'bob', method: 'POST' });
    expect((await Promise.all(waiting)).every((w) => w.view.status === 'approved')).toBe(true);
    expect(h.upstreamRequests).toHaveLength(0);
  });

  it('caps the wait at the configured maximum', async () => {
    const held = h.send(TRACE, { as: alice, headers: { ...WHY, prefer: 'wait=99999' } });
    const row = await eventually(() => h.latestRequestOf(alice));
    await h.send(`/v1/requests/${String(row.id)}/approve`, { as: 'bob', method: 'POST' });
    expect((await held).response.headers.get('preference-applied')).toBe('wait=30');
  });
});

describe('a retried read after the request ended', () => {
  it('answers 403 with the reason after a deny, until the request would have expired', async () => {
    const first = await h.send(TRACE, { as: alice, headers: WHY });
    const id = String(first.json().id);
    await h.send(`/v1/requests/${id}/deny`, {
      as: 'bob',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'no' }),
    });
    const retried = await h.send(TRACE, { as: alice, headers: WHY });
    expect(retried.response.status).toBe(403);
    expect(retried.json()).toMatchObject({ code: 'review_denied', accessRequestId: id });
    vi.setSystemTime(T0 + 600_000);
    await h.token(alice, ['requester']);
    const later = await h.send(TRACE, { as: alice, headers: WHY });
    expect(later.response.status).toBe(202);
    expect(later.json().id).not.toBe(id);
  });

  it('opens a new request after an expiry', async () => {
    const first = await h.send(TRACE, { as: alice, headers: WHY });
    vi.setSystemTime(T0 + 600_000);
    await runDurableObjectAlarm(h.stub(String(first.json().id)));
    await h.token(alice, ['requester']);
    const again = await h.send(TRACE, { as: alice, headers: WHY });
    expect(again.response.status).toBe(202);
    expect(again.json().id).not.toBe(first.json().id);
  });
});

describe('reviewer notifications from a read', () => {
  const secret = `whsec_${btoa('read-path-webhook-secret-012345')}`;

  it('sends reviewers a signed webhook whose review link points at the gateway', async () => {
    (env as unknown as Record<string, unknown>).READ_PATH_WEBHOOK_SECRET = secret;
    const notified = await createReviewHarness({
      notify: [
        {
          kind: 'webhook',
          url: 'https://sink.test/hooks/reviews',
          secret: 'READ_PATH_WEBHOOK_SECRET',
        },
      ],
    });
    await notified.token(alice, ['requester']);
    // Bodies are read inside the mock: they belong to the object's I/O context.
    const deliveries: { url: string; headers: Record<string, string>; body: string }[] = [];
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      const headers = Object.fromEntries(request.headers);
      deliveries.push({ url: request.url, headers, body: await request.text() });
      return new Response(null, { status: 204 });
    });
    try {
      const { json } = await notified.send(TRACE, { as: alice, headers: WHY });
      const id = String(json().id);
      await runDurableObjectAlarm(notified.stub(id));
      expect(deliveries.map((d) => d.url)).toEqual(['https://sink.test/hooks/reviews']);
      const [delivery] = deliveries;
      const payload = new Webhook(secret).verify(delivery?.body ?? '', delivery?.headers ?? {});
      expect(payload).toMatchObject({
        type: 'access_request.created',
        data: {
          id,
          reviewUrl: `http://localhost:8787/review/${id}`,
          justification: WHY['tracegate-justification'],
          requester: { subject: alice },
        },
      });
    } finally {
      spy.mockRestore();
    }
  });
});

describe('review links and PUBLIC_URL', () => {
  it('without PUBLIC_URL, links are absolute, on the origin the read came to', async () => {
    const first = await h.send(TRACE, { as: alice, headers: WHY, bindings: { PUBLIC_URL: '' } });
    expect(first.response.status).toBe(202);
    const id = String(first.json().id);
    expect(first.json().reviewUrl).toBe(`https://gateway.test/review/${id}`);
    const listed = await h.send('/v1/requests', { as: alice, bindings: { PUBLIC_URL: '' } });
    expect(listed.json().requests).toEqual([
      expect.objectContaining({ id, reviewUrl: `https://gateway.test/review/${id}` }),
    ]);
  });

  it.each(['gateway.example', 'ftp://gateway.example'])(
    'a PUBLIC_URL that is not an http(s) URL (%s) opens no request and sends no link',
    async (publicUrl) => {
      const read = await h.send(TRACE, {
        as: alice,
        headers: WHY,
        bindings: { PUBLIC_URL: publicUrl },
      });
      expect(read.response.status).toBe(500);
      expect(read.json()).toMatchObject({ code: 'gateway_misconfigured' });
      expect(await h.latestRequestOf(alice)).toBeNull();
      expect(h.upstreamRequests).toHaveLength(0);
      const listed = await h.send('/v1/requests', {
        as: alice,
        bindings: { PUBLIC_URL: publicUrl },
      });
      expect(listed.json()).toMatchObject({ code: 'gateway_misconfigured' });
    },
  );
});

describe('pending requests per requester', () => {
  it('refuses a new request beyond gateway.maxPendingRequests with 429, and audits it', async () => {
    const capped = await createReviewHarness({ maxPendingRequests: 2 });
    await capped.token(alice, ['requester']);
    await capped.token(frank, ['requester']);
    const read = (trace: string, as = alice) =>
      capped.send(`/lf/api/public/traces/${trace}`, { as, headers: WHY });
    const first = await read('ta');
    expect(first.response.status).toBe(202);
    expect((await read('tb')).response.status).toBe(202);
    const third = await read('tc');
    expect(third.response.status).toBe(429);
    expect(third.json()).toMatchObject({ code: 'too_many_pending_requests' });
    expect(
      await capped.auditRows({ requestId: third.response.headers.get('x-request-id') ?? '' }),
    ).toMatchObject([
      { event: 'decision', decision: 'review' },
      { event: 'failed', reason: 'too many pending access requests (2, at most 2)' },
    ]);
    // Reading a trace already pending joins its request; another requester has a share of their own.
    expect((await read('ta')).json()).toMatchObject({ id: first.json().id });
    expect((await read('tc', frank)).response.status).toBe(202);
    // Once one is over, the next may open.
    const cancel = `/v1/requests/${String(first.json().id)}/cancel`;
    expect((await capped.send(cancel, { as: alice, method: 'POST' })).response.status).toBe(200);
    expect((await read('tc')).response.status).toBe(202);
  });
});
