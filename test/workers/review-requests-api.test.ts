// The access requests API inside workerd: who may see, decide and cancel a
// request, how refusals are reported, and the long-poll. Real tokens, D1 and
// Durable Objects; a frozen clock (Date only) ahead of real time.
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createReviewHarness,
  type ReviewHarness,
} from '../../worker/review/testing/review-app-harness.ts';

const T0 = Date.UTC(2031, 7, 1, 9);
const TRACE = '/lf/api/public/traces/t1';
const WHY = { 'tracegate-justification': 'INC-7' };
const JSON_HEADERS = { 'content-type': 'application/json' };

let h: ReviewHarness;
let alice: string;
let erin: string;

beforeAll(async () => {
  h = await createReviewHarness();
});

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  const n = Math.floor(Math.random() * 1e9);
  alice = `alice-${n}`;
  erin = `erin-${n}`;
  await h.token(alice, ['requester']);
  await h.token(erin, ['requester', 'reviewer']);
  await h.token('bob', ['reviewer']);
  await h.token('carol', ['reviewer']);
  await h.token('dave', ['auditor']);
  await h.token('mallory', []);
});

afterEach(() => {
  vi.useRealTimers();
});

async function pendingRequest(as = alice): Promise<string> {
  const { response, json } = await h.send(TRACE, { as, headers: WHY });
  expect(response.status).toBe(202);
  return String(json().id);
}

const post = (path: string, as: string, body?: unknown) =>
  h.send(path, {
    as,
    method: 'POST',
    headers: JSON_HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('authentication', () => {
  it('refuses a call without a token with 401 and a challenge, and audits it', async () => {
    const { response, json } = await h.send('/v1/requests');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tracegate"');
    expect(json()).toMatchObject({ code: 'unauthenticated' });
    const rows = await h.auditRows({ requestId: response.headers.get('x-request-id') ?? '' });
    expect(rows).toMatchObject([{ event: 'auth_failed', path: '/v1/requests' }]);
  });

  it('refuses a decision with a token signed by an unknown key', async () => {
    const id = await pendingRequest();
    const response = await h.send(`/v1/requests/${id}/approve`, {
      method: 'POST',
      headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ.' },
    });
    expect(response.response.status).toBe(401);
    expect((await h.stub(id).view())?.status).toBe('pending');
  });
});

describe('finding a request', () => {
  it('answers 404, never 500, for a malformed, foreign or unknown id', async () => {
    const unknown = env.ACCESS_REQUESTS.newUniqueId().toString();
    for (const id of ['zz', '0'.repeat(64), 'A'.repeat(64), unknown, `${unknown}0`]) {
      const shown = await h.send(`/v1/requests/${id}`, { as: 'bob' });
      expect(shown.response.status).toBe(404);
      expect(shown.json()).toMatchObject({ code: 'not_found', detail: 'No such access request.' });
      expect((await post(`/v1/requests/${id}/approve`, 'bob')).response.status).toBe(404);
    }
  });

  it('shows a request to its requester, its reviewers and auditors, and to nobody else', async () => {
    const id = await pendingRequest();
    for (const who of [alice, 'bob', 'dave']) {
      const { response, json } = await h.send(`/v1/requests/${id}`, { as: who });
      expect(response.status).toBe(200);
      expect(json()).toMatchObject({
        id,
        status: 'pending',
        requester: { subject: alice, email: `${alice}@example.test` },
        namespace: 'lf',
        path: '/api/public/traces/t1',
        resourceId: 't1',
        ruleId: 'review-traces',
        justification: 'INC-7',
        reviewerGroups: ['reviewer'],
        decisions: [],
        grant: null,
      });
    }
    const hidden = await h.send(`/v1/requests/${id}`, { as: 'mallory' });
    expect(hidden.response.status).toBe(404);
  });

  it('long-polls a pending request and returns as soon as it is approved', async () => {
    const id = await pendingRequest();
    const polling = h.send(`/v1/requests/${id}?wait=20`, { as: alice });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await post(`/v1/requests/${id}/approve`, 'bob', { grantSeconds: 120 });
    const { response, json } = await polling;
    expect(response.status).toBe(200);
    expect(json()).toMatchObject({
      status: 'approved',
      approvals: 1,
      grant: { scope: 'trace', resourceId: 't1', expiresAt: new Date(T0 + 120_000).toISOString() },
      decisions: [{ reviewer: { subject: 'bob' }, decision: 'approve' }],
    });
  });

  it('rejects a wait that is not a number of seconds', async () => {
    const id = await pendingRequest();
    const { response, json } = await h.send(`/v1/requests/${id}?wait=soon`, { as: alice });
    expect(response.status).toBe(400);
    expect(json()).toMatchObject({ code: 'bad_request' });
  });
});

describe('listing requests', () => {
  it('lists the caller’s own requests, and for reviewers those they may review', async () => {
    const id = await pendingRequest();
    const ids = async (who: string, query = '?status=pending') => {
      const { response, json } = await h.send(`/v1/requests${query}`, { as: who });
      expect(response.status).toBe(200);
      return (json().requests as { id: string }[]).map((r) => r.id);
    };
    expect(await ids(alice)).toEqual([id]);
    expect(await ids('bob')).toContain(id);
    expect(await ids('dave')).toContain(id);
    expect(await ids('mallory')).not.toContain(id);
    expect(await ids(alice, '?status=approved')).toEqual([]);
    const { response } = await h.send('/v1/requests?status=whatever', { as: alice });
    expect(response.status).toBe(400);
  });
});

describe('approving', () => {
  it('refuses self-approval with 403 self_approval, even from a requester who reviews', async () => {
    const id = await pendingRequest(erin);
    const { response, json } = await post(`/v1/requests/${id}/approve`, erin);
    expect(response.status).toBe(403);
    expect(json()).toMatchObject({ code: 'self_approval' });
    expect((await h.stub(id).view())?.status).toBe('pending');
  });

  it('refuses self-approval from another subject with the requester email, and audits it', async () => {
    // An IdP with pairwise subjects gives the requester another `sub` elsewhere.
    const id = await pendingRequest(erin);
    const other = `${erin}-pairwise`;
    await h.token(other, ['reviewer'], `${erin.toUpperCase()}@example.test`);
    const { response, json } = await post(`/v1/requests/${id}/approve`, other);
    expect(response.status).toBe(403);
    expect(json()).toMatchObject({ code: 'self_approval' });
    expect((await h.stub(id).view())?.status).toBe('pending');
    const refused = (await h.auditRows({ accessRequestId: id })).filter(
      (row) => row['actor_subject'] === other,
    );
    expect(refused).toMatchObject([
      { event: 'review_decision', reason: 'approve refused: self_approval' },
    ]);
  });

  it('refuses someone outside the reviewer groups with 403 not_a_reviewer', async () => {
    const id = await pendingRequest();
    for (const who of ['dave', 'mallory']) {
      const { response, json } = await post(`/v1/requests/${id}/approve`, who);
      expect(response.status).toBe(403);
      expect(json()).toMatchObject({ code: 'not_a_reviewer' });
    }
  });

  it('accepts the same approval twice, and refuses a late one with 409', async () => {
    const id = await pendingRequest();
    expect((await post(`/v1/requests/${id}/approve`, 'bob')).response.status).toBe(200);
    expect((await post(`/v1/requests/${id}/approve`, 'bob')).response.status).toBe(200);
    const late = await post(`/v1/requests/${id}/approve`, 'carol');
    expect(late.response.status).toBe(409);
    expect(late.json()).toMatchObject({
      code: 'review_conflict',
      detail: 'The access request is already approved.',
    });
  });

  it('refuses an approval after the deadline with 410 review_expired', async () => {
    const id = await pendingRequest();
    vi.setSystemTime(T0 + 600_000);
    await h.token('bob', ['reviewer']);
    const { response, json } = await post(`/v1/requests/${id}/approve`, 'bob');
    expect(response.status).toBe(410);
    expect(json()).toMatchObject({ code: 'review_expired', status: 'expired' });
  });

  it('caps the grant the approver picks at the rule’s grant TTL', async () => {
    const id = await pendingRequest();
    const { json } = await post(`/v1/requests/${id}/approve`, 'bob', { grantSeconds: 86_400 });
    expect(json()).toMatchObject({ grant: { expiresAt: new Date(T0 + 900_000).toISOString() } });
  });

  it('rejects a body with unknown fields or the wrong type', async () => {
    const id = await pendingRequest();
    const unknown = await post(`/v1/requests/${id}/approve`, 'bob', {
      grantSeconds: 60,
      admin: true,
    });
    expect(unknown.response.status).toBe(400);
    const wrong = await post(`/v1/requests/${id}/approve`, 'bob', { grantSeconds: 'forever' });
    expect(wrong.response.status).toBe(400);
    const notJson = await h.send(`/v1/requests/${id}/approve`, {
      as: 'bob',
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'approve!',
    });
    expect(notJson.response.status).toBe(400);
    expect((await h.stub(id).view())?.status).toBe('pending');
  });
});

describe('denying', () => {
  it('needs a reason', async () => {
    const id = await pendingRequest();
    for (const body of [
      undefined,
      {},
      { reason: '   ' },
      { reason: 'x'.repeat(1001) },
      { reason: 'ok\n*Status:* approved' }, // a forged line in Slack and the CLI
      { reason: 'approve \u202Eeludom' }, // a right-to-left override
      { reason: 'x\u2066y\u2069' }, // a left-to-right isolate
      { reason: 'half \ud800' }, // a lone surrogate
    ]) {
      const { response, json } = await post(`/v1/requests/${id}/deny`, 'bob', body);
      expect(response.status).toBe(400);
      expect(json()).toMatchObject({ code: 'bad_request' });
    }
    expect((await h.stub(id).view())?.status).toBe('pending');
  });

  it('denies with the reason, which the requester then sees', async () => {
    const id = await pendingRequest();
    const denied = await post(`/v1/requests/${id}/deny`, 'bob', { reason: 'out of scope' });
    expect(denied.response.status).toBe(200);
    const { json } = await h.send(`/v1/requests/${id}`, { as: alice });
    expect(json()).toMatchObject({ status: 'denied', denyReason: 'out of scope' });
  });

  it('takes a right-to-left reason with its direction mark', async () => {
    const id = await pendingRequest();
    const reason = 'לא בתחום\u200f';
    expect((await post(`/v1/requests/${id}/deny`, 'bob', { reason })).response.status).toBe(200);
    expect((await h.send(`/v1/requests/${id}`, { as: alice })).json()).toMatchObject({
      denyReason: reason,
    });
  });
});

describe('cancelling', () => {
  it('lets only the requester cancel, idempotently, after which decisions are refused with 410', async () => {
    const id = await pendingRequest();
    const byReviewer = await post(`/v1/requests/${id}/cancel`, 'bob');
    expect(byReviewer.response.status).toBe(403);
    expect(byReviewer.json()).toMatchObject({ code: 'access_denied' });
    expect((await post(`/v1/requests/${id}/cancel`, 'mallory')).response.status).toBe(404);
    expect((await post(`/v1/requests/${id}/cancel`, alice)).json()).toMatchObject({
      status: 'cancelled',
    });
    expect((await post(`/v1/requests/${id}/cancel`, alice)).response.status).toBe(200);
    const late = await post(`/v1/requests/${id}/approve`, 'bob');
    expect(late.response.status).toBe(410);
    expect(late.json()).toMatchObject({ code: 'review_cancelled' });
  });

  it('refuses to cancel a decided request with 409', async () => {
    const id = await pendingRequest();
    await post(`/v1/requests/${id}/approve`, 'bob');
    const { response, json } = await post(`/v1/requests/${id}/cancel`, alice);
    expect(response.status).toBe(409);
    expect(json()).toMatchObject({ code: 'review_conflict' });
  });
});
