// The review pages inside workerd, against the real AccessRequest Durable
// Object and the real D1 audit: what a link scanner, a reviewer, the requester
// and an attacker's form post can and cannot do. Sessions are sealed with the
// production code under a test SESSION_SECRET (the sign-in flow that mints
// them is tested in review-pages-login.test.ts).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { AccessRequestView } from '../../durable-objects/access-request-contract.ts';
import { createApp } from '../../worker/app.ts';
import { validateGatewayConfig } from '../../worker/config/load.ts';
import { createCsrfToken } from '../../worker/session/csrf-token.ts';
import { sealReviewSession } from '../../worker/session/review-session.ts';
import { openValue, sealValue } from '../../worker/session/sealed-value.ts';
import { sessionKeys } from '../../worker/session/session-keys.ts';
import { TEST_ISSUER, requestInit } from '../../worker/review/testing/review-fixtures.ts';

const GATEWAY = 'http://gateway.test';
const SECRET = 'review-pages-test-secret-0123456789';
const GRANT_CAP_SECONDS = 4 * 3600;

const config = validateGatewayConfig({
  version: 1,
  gateway: { reviewLogin: { issuer: 'corp', clientId: 'tracegate-review' } },
  issuers: [
    {
      id: 'corp',
      issuer: TEST_ISSUER,
      jwksUri: `${TEST_ISSUER}/jwks`,
      audiences: ['tracegate'],
      algorithms: ['RS256'],
    },
  ],
  namespaces: [
    {
      id: 'lf',
      pathPrefix: '/lf',
      upstream: { origin: 'https://origin.test' },
      resources: ['/api/public/traces/:traceId'],
      policy: {
        rules: [
          {
            id: 'review-reads',
            match: { groups: ['requester'] },
            outcome: 'review',
            review: { reviewerGroups: ['reviewer'], grantTtlSeconds: GRANT_CAP_SECONDS },
          },
        ],
      },
    },
  ],
});

const app = createApp({ config });

type RequestOverrides = Parameters<typeof requestInit>[0];

type Person = 'alice' | 'bob' | 'carol' | 'dave' | 'mallory';
const groupsOf: Record<Person, string[]> = {
  alice: ['requester'],
  bob: ['reviewer'],
  carol: ['reviewer', 'reviewer-backup'],
  dave: ['auditor'],
  mallory: [],
};

/** A session cookie; `now` is the sign-in time (the session lives `ttlSeconds` from it). */
async function sessionCookie(
  person: Person,
  options: { now?: number; ttlSeconds?: number } = {},
): Promise<string> {
  const keys = await sessionKeys({ SESSION_SECRET: SECRET });
  const { sealed } = await sealReviewSession(
    keys,
    {
      issuerId: 'corp',
      issuer: TEST_ISSUER,
      subject: person,
      email: `${person}@example.test`,
      groups: groupsOf[person],
    },
    { now: options.now ?? Date.now(), ttlSeconds: options.ttlSeconds ?? 3600 },
  );
  return `tracegate-session=${sealed}`;
}

async function send(path: string, init: RequestInit = {}, bindings: Record<string, unknown> = {}) {
  const ctx = createExecutionContext();
  const response = await app.request(
    `${GATEWAY}${path}`,
    { redirect: 'manual', ...init },
    { ...env, PUBLIC_URL: GATEWAY, SESSION_SECRET: SECRET, ...bindings },
    ctx,
  );
  // Whitespace collapsed: assertions are about content, not the markup's layout.
  const body = (await response.text()).replace(/\s+/g, ' ');
  await waitOnExecutionContext(ctx);
  return { response, body };
}

function stubFor(id: string) {
  return env.ACCESS_REQUESTS.get(env.ACCESS_REQUESTS.idFromString(id));
}

async function createRequest(overrides: RequestOverrides = {}) {
  const id = env.ACCESS_REQUESTS.newUniqueId().toString();
  const { review, ...rest } = overrides;
  await stubFor(id).create(
    requestInit({
      reviewUrl: `${GATEWAY}/review/${id}`,
      ...rest,
      review: { grantTtlSeconds: GRANT_CAP_SECONDS, ...review },
    }),
  );
  return id;
}

async function viewOf(id: string): Promise<AccessRequestView> {
  const view = await stubFor(id).view();
  if (view === null) throw new Error(`no access request ${id}`);
  return view;
}

async function decisionRows(id: string) {
  const { results } = await env.AUDIT_DB.prepare(
    "SELECT event, decision, actor_subject AS subject FROM audit_events WHERE access_request_id = ? AND event <> 'review_created' ORDER BY seq",
  )
    .bind(id)
    .all<{ event: string; decision: string; subject: string }>();
  return results;
}

/** The page a person sees, and the CSRF token of its decision form (if any). */
async function pageFor(person: Person, id: string) {
  const cookie = await sessionCookie(person);
  const page = await send(`/review/${id}`, { headers: { cookie } });
  const csrf =
    /action="\/review\/[0-9a-f]+\/decision"> <input type="hidden" name="csrf" value="([^"]+)"/.exec(
      page.body,
    )?.[1];
  return { ...page, cookie, csrf };
}

/** A form post as a browser sends it; a header given as null is left out. */
function postDecision(
  id: string,
  fields: Record<string, string>,
  headers: Record<string, string | null> = {},
) {
  const sent = new Headers({
    'content-type': 'application/x-www-form-urlencoded',
    origin: GATEWAY,
    'sec-fetch-site': 'same-origin',
  });
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) sent.delete(name);
    else sent.set(name, value);
  }
  return send(`/review/${id}/decision`, {
    method: 'POST',
    headers: sent,
    body: new URLSearchParams(fields).toString(),
  });
}

describe('opening a review link without a session (a mail scanner, a chat unfurler)', () => {
  it('shows a sign-in invitation and changes nothing: no state, no audit row, no cookie', async () => {
    const id = await createRequest({ justification: 'incident 4711 root cause' });
    const before = await viewOf(id);
    for (const method of ['GET', 'HEAD', 'GET']) {
      const { response, body } = await send(`/review/${id}`, {
        method,
        headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.getSetCookie()).toEqual([]);
      if (method === 'GET') {
        expect(body).toContain('Sign in to review');
        expect(body).toContain(`href="/review/login?return=%2Freview%2F${id}"`);
        // Nothing about the request leaks to whoever holds the link.
        expect(body).not.toContain('incident 4711');
        expect(body).not.toContain('alice');
        expect(body).not.toContain('<form');
      }
    }
    expect(await viewOf(id)).toEqual(before);
    expect(await decisionRows(id)).toEqual([]);
  });

  it('answers 404 for an id that is not a Durable Object id, without a session or a binding call', async () => {
    for (const id of ['nope', 'A'.repeat(64), `${'0'.repeat(63)}g`, '..%2Fhealthz']) {
      const { response, body } = await send(`/review/${id}`);
      expect(response.status).toBe(404);
      expect(body).toContain('data-code="not_found"');
    }
  });

  it('fails closed with gateway_misconfigured when SESSION_SECRET is missing', async () => {
    const id = await createRequest();
    const { response, body } = await send(`/review/${id}`, {}, { SESSION_SECRET: undefined });
    expect(response.status).toBe(500);
    expect(body).toContain('data-code="gateway_misconfigured"');
  });
});

describe('the review page for a signed-in reviewer', () => {
  it('shows who asks, for what, why, under which rule, the approvals, the status and the expiry', async () => {
    const id = await createRequest({ justification: 'Incident 42: the agent looped' });
    const { response, body, csrf } = await pageFor('bob', id);
    expect(response.status).toBe(200);
    for (const text of [
      'alice@example.test',
      '<code>alice</code>',
      `<code>${TEST_ISSUER}</code>`,
      '<code>lf</code>',
      '<code>GET /api/public/traces/t1</code>',
      '<code>t1</code>',
      'Incident 42: the agent looped',
      '<code>review-reads</code>',
      '0 of 1 needed',
      'badge pending',
      'Expires',
    ]) {
      expect(body).toContain(text);
    }
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body).toContain('name="reason" required');
  });

  it('offers grant durations only up to the rule’s cap', async () => {
    const id = await createRequest();
    const { body } = await pageFor('bob', id);
    const offered = [...body.matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(offered).toEqual([900, 3600, GRANT_CAP_SECONDS]);
    expect(body).toContain('<option value="3600" selected>');
  });

  it('is served with a strict CSP, no-store, no referrer and no framing', async () => {
    const id = await createRequest();
    const { response } = await pageFor('bob', id);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'nonce-[A-Za-z0-9_-]+'/);
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('script-src');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('renders a justification and requester fields containing markup inert', async () => {
    const hostile = `<script>alert(1)</script><img src=x onerror="alert(2)">'"&`;
    const id = await createRequest({
      justification: hostile,
      path: '/api/public/traces/"><script>alert(3)</script>',
      requester: {
        issuer: TEST_ISSUER,
        subject: 'alice',
        email: '<b onmouseover=alert(4)>alice@example.test</b>',
        groups: ['requester'],
      },
    });
    const { body } = await pageFor('bob', id);
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('<img');
    expect(body).not.toContain('<b onmouseover');
    expect(body).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&#39;&quot;&amp;',
    );
    expect(body).toContain('&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
  });

  it('shows a right-to-left justification in an element of its own direction', async () => {
    // A direction mark in the text must not reorder the page around it.
    const why = 'בדיקה של INC-9\u200f';
    const id = await createRequest({ justification: why });
    const { body } = await pageFor('bob', id);
    expect(body).toContain(`<p class="justification" dir="auto">${why}</p>`);
  });

  it('answers 404 for a well-formed id that was never created', async () => {
    const never = env.ACCESS_REQUESTS.newUniqueId().toString();
    const { response } = await pageFor('bob', never);
    expect(response.status).toBe(404);
  });
});

describe('the review page for others', () => {
  it('shows the requester their own request with a note and no decision form', async () => {
    const id = await createRequest();
    const { response, body, csrf } = await pageFor('alice', id);
    expect(response.status).toBe(200);
    expect(body).toContain('This is your own request');
    expect(body).not.toContain('Approve</button>');
    expect(csrf).toBeUndefined();
  });

  it('shows an auditor the request read-only', async () => {
    const id = await createRequest();
    const { response, body, csrf } = await pageFor('dave', id);
    expect(response.status).toBe(200);
    expect(body).toContain('as an auditor');
    expect(csrf).toBeUndefined();
  });

  it('shows someone outside the reviewer groups nothing of the request', async () => {
    const id = await createRequest({ justification: 'secret incident' });
    const { response, body } = await pageFor('mallory', id);
    expect(response.status).toBe(403);
    expect(body).toContain('data-code="not_a_reviewer"');
    expect(body).not.toContain('secret incident');
  });
});

describe('posting a decision', () => {
  it('approves with the chosen grant, redirects 303 to the page, which shows the new state', async () => {
    const id = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', id);
    const before = Date.now();
    const { response } = await postDecision(
      id,
      { csrf, action: 'approve', grantSeconds: '900' },
      { cookie },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/review/${id}`);
    const view = await viewOf(id);
    expect(view.status).toBe('approved');
    expect(view.grant?.expiresAt).toBeGreaterThanOrEqual(before + 900_000);
    expect(view.grant?.expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(await decisionRows(id)).toEqual(
      expect.arrayContaining([{ event: 'review_decision', decision: 'approve', subject: 'bob' }]),
    );
    const page = await send(`/review/${id}`, { headers: { cookie } });
    expect(page.body).toContain('badge approved');
    expect(page.body).toContain('You approved this request.');
    expect(page.body).not.toContain('Approve</button>');
  });

  it('accepts the browser’s own post under no-referrer (Origin null, Sec-Fetch-Site same-origin)', async () => {
    const id = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', id);
    const { response } = await postDecision(
      id,
      { csrf, action: 'approve', grantSeconds: '900' },
      { cookie, origin: 'null', 'sec-fetch-site': 'same-origin' },
    );
    expect(response.status).toBe(303);
    expect((await viewOf(id)).status).toBe('approved');
  });

  it('accepts a post from a client that sends no Origin or Fetch Metadata, given a valid token', async () => {
    const id = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', id);
    const { response } = await postDecision(
      id,
      { csrf, action: 'approve', grantSeconds: '900' },
      { cookie, origin: null, 'sec-fetch-site': null },
    );
    expect(response.status).toBe(303);
    expect((await viewOf(id)).status).toBe('approved');
  });

  it('denies with the reviewer’s reason', async () => {
    const id = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', id);
    const { response } = await postDecision(
      id,
      { csrf, action: 'deny', reason: 'Not related to the incident.' },
      { cookie },
    );
    expect(response.status).toBe(303);
    const view = await viewOf(id);
    expect(view.status).toBe('denied');
    expect(view.denyReason).toBe('Not related to the incident.');
  });

  it('refuses a deny without a reason and changes nothing', async () => {
    const id = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', id);
    const { response, body } = await postDecision(
      id,
      { csrf, action: 'deny', reason: '   ' },
      { cookie },
    );
    expect(response.status).toBe(400);
    expect(body).toContain('A denial needs a reason');
    expect((await viewOf(id)).status).toBe('pending');
    expect(await decisionRows(id)).toEqual([]);
  });

  it('refuses a grant longer than the rule’s cap and changes nothing', async () => {
    const id = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', id);
    for (const grantSeconds of [
      String(GRANT_CAP_SECONDS + 1),
      String(30 * 86_400),
      '-1',
      '1e9',
      '',
    ]) {
      const { response } = await postDecision(
        id,
        { csrf, action: 'approve', grantSeconds },
        { cookie },
      );
      expect(response.status).toBe(400);
    }
    expect((await viewOf(id)).status).toBe('pending');
    expect(await decisionRows(id)).toEqual([]);
  });
});

describe('a decision post that is refused before it reaches the request', () => {
  const refusedWithoutChange = async (
    id: string,
    attempt: Promise<{ response: Response; body: string }>,
    status: number,
    code: string,
  ) => {
    const before = await viewOf(id);
    const { response, body } = await attempt;
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(body).toContain(`data-code="${code}"`);
    expect(await viewOf(id)).toEqual(before);
    expect(await decisionRows(id)).toEqual([]);
  };

  it('refuses a post without a CSRF token', async () => {
    const id = await createRequest();
    const { cookie } = await pageFor('bob', id);
    await refusedWithoutChange(
      id,
      postDecision(id, { action: 'approve', grantSeconds: '900' }, { cookie }),
      403,
      'csrf_failed',
    );
  });

  it('refuses a post with a wrong CSRF token', async () => {
    const id = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', id);
    const wrong = `${csrf.slice(0, -2)}${csrf.endsWith('AA') ? 'BB' : 'AA'}`;
    await refusedWithoutChange(
      id,
      postDecision(id, { csrf: wrong, action: 'approve', grantSeconds: '900' }, { cookie }),
      403,
      'csrf_failed',
    );
  });

  it('refuses a CSRF token taken from another request’s page', async () => {
    const id = await createRequest();
    const other = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', other);
    expect(csrf).not.toBe('');
    await refusedWithoutChange(
      id,
      postDecision(id, { csrf, action: 'approve', grantSeconds: '900' }, { cookie }),
      403,
      'csrf_failed',
    );
  });

  it('refuses a CSRF token taken from another session', async () => {
    const id = await createRequest();
    const { csrf = '' } = await pageFor('bob', id);
    const carolCookie = await sessionCookie('carol');
    await refusedWithoutChange(
      id,
      postDecision(id, { csrf, action: 'approve', grantSeconds: '900' }, { cookie: carolCookie }),
      403,
      'csrf_failed',
    );
  });

  it('refuses the session’s own token for another purpose (the sign-out form’s)', async () => {
    const id = await createRequest();
    const { cookie, body } = await pageFor('bob', id);
    const logout =
      /action="\/review\/logout"> <input type="hidden" name="csrf" value="([^"]+)"/.exec(body)?.[1];
    expect(logout).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await refusedWithoutChange(
      id,
      postDecision(id, { csrf: logout ?? '', action: 'approve', grantSeconds: '900' }, { cookie }),
      403,
      'csrf_failed',
    );
  });

  it('refuses a post from another origin even with a valid token', async () => {
    const id = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', id);
    const fields = { csrf, action: 'approve', grantSeconds: '900' };
    await refusedWithoutChange(
      id,
      postDecision(id, fields, { cookie, origin: 'https://evil.example' }),
      403,
      'csrf_failed',
    );
    await refusedWithoutChange(
      id,
      postDecision(id, fields, { cookie, origin: 'null', 'sec-fetch-site': null }),
      403,
      'csrf_failed',
    );
    await refusedWithoutChange(
      id,
      postDecision(id, fields, { cookie, 'sec-fetch-site': 'cross-site' }),
      403,
      'csrf_failed',
    );
  });

  it('refuses a sandboxed frame’s post (Origin null, cross-site)', async () => {
    const id = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', id);
    await refusedWithoutChange(
      id,
      postDecision(
        id,
        { csrf, action: 'approve', grantSeconds: '900' },
        { cookie, origin: 'null', 'sec-fetch-site': 'cross-site' },
      ),
      403,
      'csrf_failed',
    );
  });

  it('refuses a post without a session, with a sign-in link', async () => {
    const id = await createRequest();
    const { csrf = '' } = await pageFor('bob', id);
    await refusedWithoutChange(
      id,
      postDecision(id, { csrf, action: 'approve', grantSeconds: '900' }),
      401,
      'unauthenticated',
    );
  });

  it('refuses a post with an expired session', async () => {
    const id = await createRequest();
    const { csrf = '' } = await pageFor('bob', id);
    const expired = await sessionCookie('bob', { now: Date.now() - 2 * 3600 * 1000 });
    await refusedWithoutChange(
      id,
      postDecision(id, { csrf, action: 'approve', grantSeconds: '900' }, { cookie: expired }),
      401,
      'unauthenticated',
    );
  });

  it('refuses a post with a tampered session cookie', async () => {
    const id = await createRequest();
    const { cookie, csrf = '' } = await pageFor('bob', id);
    const tampered = `${cookie.slice(0, -3)}${cookie.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    await refusedWithoutChange(
      id,
      postDecision(id, { csrf, action: 'approve', grantSeconds: '900' }, { cookie: tampered }),
      401,
      'unauthenticated',
    );
  });
});

describe('a decision the access request refuses', () => {
  it('refuses the requester approving their own request, as a page', async () => {
    const id = await createRequest({
      requester: {
        issuer: TEST_ISSUER,
        subject: 'carol',
        email: 'carol@example.test',
        groups: ['reviewer'],
      },
    });
    const cookie = await sessionCookie('carol');
    // The page shows carol no form; a hand-made post with her valid token is still refused.
    const keys = await sessionKeys({ SESSION_SECRET: SECRET });
    const sid = await sidOf(cookie);
    const csrf = await createCsrfToken(keys.csrf, sid, id);
    const { response, body } = await postDecision(
      id,
      { csrf, action: 'approve', grantSeconds: '900' },
      { cookie },
    );
    expect(response.status).toBe(403);
    expect(body).toContain('data-code="self_approval"');
    expect((await viewOf(id)).status).toBe('pending');
    expect((await viewOf(id)).decisions).toEqual([]);
  });

  it('refuses someone outside the reviewer groups', async () => {
    const id = await createRequest();
    const cookie = await sessionCookie('mallory');
    const keys = await sessionKeys({ SESSION_SECRET: SECRET });
    const csrf = await createCsrfToken(keys.csrf, await sidOf(cookie), id);
    const { response, body } = await postDecision(
      id,
      { csrf, action: 'approve', grantSeconds: '900' },
      { cookie },
    );
    expect(response.status).toBe(403);
    expect(body).toContain('data-code="not_a_reviewer"');
    expect((await viewOf(id)).decisions).toEqual([]);
  });

  it('refuses a decision on a request another reviewer already decided, with a readable message', async () => {
    const id = await createRequest();
    const bob = await pageFor('bob', id);
    const carol = await pageFor('carol', id);
    await postDecision(
      id,
      { csrf: bob.csrf ?? '', action: 'approve', grantSeconds: '900' },
      { cookie: bob.cookie },
    );
    const { response, body } = await postDecision(
      id,
      { csrf: carol.csrf ?? '', action: 'deny', reason: 'too late' },
      { cookie: carol.cookie },
    );
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(body).toContain('This request is already approved; nothing was changed.');
    expect((await viewOf(id)).status).toBe('approved');
  });

  it('refuses a decision on an expired request', async () => {
    const id = await createRequest({ review: { pendingTtlSeconds: 1 } });
    const bob = await pageFor('bob', id);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { response, body } = await postDecision(
      id,
      { csrf: bob.csrf ?? '', action: 'approve', grantSeconds: '900' },
      { cookie: bob.cookie },
    );
    expect(response.status).toBe(409);
    expect(body).toContain('This request is already expired');
    expect((await viewOf(id)).status).toBe('expired');
  });
});

describe('a sign-in too old to decide', () => {
  // Sessions keep the groups of their sign-in: someone the IdP has since removed
  // from the reviewers, or disabled, must not decide on them for 8 hours.
  const twoHoursAgo = () => Date.now() - 2 * 3600_000;

  async function postWith(cookie: string, id: string) {
    const keys = await sessionKeys({ SESSION_SECRET: SECRET });
    const csrf = await createCsrfToken(keys.csrf, await sidOf(cookie), id);
    return postDecision(id, { csrf, action: 'approve', grantSeconds: '900' }, { cookie });
  }

  it('shows the request without the form, and asks to sign in again', async () => {
    const id = await createRequest();
    const cookie = await sessionCookie('bob', { now: twoHoursAgo(), ttlSeconds: 8 * 3600 });
    const { response, body } = await send(`/review/${id}`, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(body).toContain('Deciding needs a sign-in from the last 1 hour');
    expect(body).not.toContain(`action="/review/${id}/decision"`);
  });

  it('refuses a decision posted anyway, and changes nothing', async () => {
    const id = await createRequest();
    const cookie = await sessionCookie('bob', { now: twoHoursAgo(), ttlSeconds: 8 * 3600 });
    const { response, body } = await postWith(cookie, id);
    expect(response.status).toBe(401);
    expect(body).toContain('data-code="unauthenticated"');
    expect(body).toContain('so that your groups are current');
    expect((await viewOf(id)).status).toBe('pending');
    expect((await viewOf(id)).decisions).toEqual([]);
    // The same reviewer, signed in a minute ago, decides.
    const fresh = await sessionCookie('bob', { now: Date.now() - 60_000 });
    expect((await postWith(fresh, id)).response.status).toBe(303);
    expect((await viewOf(id)).status).toBe('approved');
  });

  it('counts a session sealed without a sign-in time as too old', async () => {
    const id = await createRequest();
    const keys = await sessionKeys({ SESSION_SECRET: SECRET });
    const principal = {
      issuerId: 'corp',
      issuer: TEST_ISSUER,
      subject: 'bob',
      email: 'bob@example.test',
      groups: groupsOf.bob,
    };
    const sealed = await sealValue(
      keys.session,
      'review-session',
      { sid: 'legacy-session', principal },
      Date.now() + 3600_000,
    );
    const cookie = `tracegate-session=${sealed}`;
    const { body } = await send(`/review/${id}`, { headers: { cookie } });
    expect(body).toContain('Deciding needs a sign-in');
    expect((await postWith(cookie, id)).response.status).toBe(401);
    expect((await viewOf(id)).status).toBe('pending');
  });
});

/** The session id inside a sealed cookie (opened with the test secret). */
async function sidOf(cookie: string): Promise<string> {
  const keys = await sessionKeys({ SESSION_SECRET: SECRET });
  const sealed = cookie.slice(cookie.indexOf('=') + 1);
  const opened = await openValue(keys.session, 'review-session', sealed, Date.now(), (v) => v);
  if (!opened.ok || typeof opened.value !== 'object' || opened.value === null) {
    throw new Error('cannot open the test session');
  }
  const sid: unknown = Reflect.get(opened.value, 'sid');
  if (typeof sid !== 'string') throw new Error('no sid');
  return sid;
}
