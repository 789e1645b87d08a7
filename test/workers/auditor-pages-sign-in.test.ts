// The auditor pages in a browser: the one gateway session (set by the sign-in
// at /review/login) opens them with no bearer header; a browser with neither
// is sent to the sign-in on GET and comes back to the page it asked for; a
// signed-in non-auditor is refused like a non-auditor token. The real browser
// flow against the development IdP is test/browser/auditor-sessions.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../worker/config/schema.ts';
import { sealReviewSession } from '../../worker/session/review-session.ts';
import { sessionKeys } from '../../worker/session/session-keys.ts';
import {
  auditRows,
  bearer,
  createHarness,
  send,
  type Harness,
  type SendOptions,
} from './recording-harness.ts';

const SECRET = 'auditor-pages-session-secret-0123456789';

let harness: Harness;
let sessionId: string;

beforeAll(async () => {
  const base = await createHarness();
  const gateway: GatewayConfig['gateway'] = {
    ...base.config.gateway,
    reviewLogin: {
      issuer: 'test',
      clientId: 'tracegate-review',
      scopes: ['openid', 'email', 'profile', 'groups'],
      redirectPath: '/review/callback',
      sessionTtlSeconds: 3600,
      signInMaxAgeSeconds: 3600,
    },
  };
  harness = { ...base, config: { ...base.config, gateway } };
  const served = await send(harness, '/lf/traces/t1', {
    init: bearer(await harness.staffToken()),
    upstream: async () => Response.json({ trace: 't1' }),
  });
  sessionId = served.response.headers.get('x-request-id') ?? '';
  expect(sessionId).not.toBe('');
});

/** A session cookie signed in at `signedInAt` (now by default), alive for 8 h from then. */
async function sessionCookie(
  subject: string,
  groups: string[],
  signedInAt = Date.now(),
): Promise<string> {
  const keys = await sessionKeys({ SESSION_SECRET: SECRET });
  const { sealed } = await sealReviewSession(
    keys,
    { issuerId: 'test', issuer: harness.idp.issuer, subject, email: undefined, groups },
    { now: signedInAt, ttlSeconds: 8 * 3600 },
  );
  // PUBLIC_URL is plain http in the test pool: no __Host- prefix.
  return `tracegate-session=${sealed}`;
}

function browser(path: string, init: RequestInit = {}) {
  const options: SendOptions = {
    init: { redirect: 'manual', ...init },
    env: { SESSION_SECRET: SECRET },
  };
  return send(harness, path, options);
}

describe('an auditor page opened in a browser without a session', () => {
  it('redirects to the sign-in, which returns to the recorded session, and audits the attempt', async () => {
    const { response } = await browser(`/audit/sessions/${sessionId}`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      `/review/login?return=${encodeURIComponent(`/audit/sessions/${sessionId}`)}`,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.getSetCookie()).toEqual([]);
    const rows = await auditRows(response.headers.get('x-request-id') ?? '');
    expect(rows).toMatchObject([{ event: 'auth_failed', decision: 'unauthenticated' }]);
  });

  it.each([
    ['/audit/sessions?namespace=lf&actor=alice', '/audit/sessions'],
    ['/audit/sessions/some-id/body', '/audit/sessions'],
  ])('redirects %s to the sign-in, returning to %s', async (path, returnTo) => {
    const { response } = await browser(path);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      `/review/login?return=${encodeURIComponent(returnTo)}`,
    );
  });

  it('answers 401, not a redirect, to a request that is not a GET', async () => {
    const { response } = await browser('/audit/sessions', { method: 'POST' });
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
  });

  it('answers 401, not a redirect, to a bearer token that fails', async () => {
    const { response } = await browser('/audit/sessions', bearer('not-a-token'));
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
  });

  it('answers 401, not a redirect, to an API route', async () => {
    const { response } = await browser('/v1/sessions');
    expect(response.status).toBe(401);
    expect(response.headers.get('location')).toBeNull();
  });
});

describe('an auditor page opened with a session whose sign-in is too old', () => {
  it('sends the browser back through the sign-in, for the IdP’s current groups', async () => {
    // Signed in as an auditor two hours ago: the IdP may have taken the group away since.
    const cookie = await sessionCookie('dave', ['auditor'], Date.now() - 2 * 3600_000);
    const { response } = await browser(`/audit/sessions/${sessionId}`, { headers: { cookie } });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      `/review/login?return=${encodeURIComponent(`/audit/sessions/${sessionId}`)}`,
    );
    // The audit says whose session it was, and why it was not taken.
    expect(await auditRows(response.headers.get('x-request-id') ?? '')).toMatchObject([
      {
        event: 'auth_failed',
        decision: 'unauthenticated',
        actor_subject: 'dave',
        reason: 'session sign-in too old to trust its groups: sent to sign in again',
      },
    ]);
    // Signed in a minute ago, the same session reads.
    const fresh = await sessionCookie('dave', ['auditor'], Date.now() - 60_000);
    const replay = await browser(`/audit/sessions/${sessionId}`, { headers: { cookie: fresh } });
    expect(replay.response.status).toBe(200);
  });
});

describe('an auditor page opened with the gateway session', () => {
  it('shows an auditor the session list and a replay with no bearer header', async () => {
    const cookie = await sessionCookie('dave', ['auditor']);
    const list = await browser('/audit/sessions?namespace=lf', { headers: { cookie } });
    expect(list.response.status).toBe(200);
    expect(list.text).toContain(`href="/audit/sessions/${sessionId}"`);
    const replay = await browser(`/audit/sessions/${sessionId}`, { headers: { cookie } });
    expect(replay.response.status).toBe(200);
    expect(replay.text).toContain('staff-read');
    const rows = await auditRows(replay.response.headers.get('x-request-id') ?? '');
    expect(rows[0]).toMatchObject({ decision: 'allow', actor_subject: 'dave' });
  });

  it('is worth nothing outside the pages: the API and the trace reads take bearer tokens only', async () => {
    // Path=/ sends the cookie everywhere, and SameSite=Lax sends it on a
    // cross-site link: a link to the export or to a trace must not ride on it.
    // (A read that reached the store would get its 599, not a 401.)
    const cookie = await sessionCookie('dave', ['auditor', 'staff']);
    for (const path of [
      '/v1/audit/export?format=csv',
      '/v1/sessions',
      `/v1/sessions/${sessionId}/body`,
      '/v1/requests',
      '/lf/traces/t1',
    ]) {
      const { response, text } = await browser(path, { headers: { cookie } });
      expect(response.status, path).toBe(401);
      expect(text, path).not.toContain('{"trace"');
    }
  });

  it('refuses a signed-in non-auditor with 403 and audits the refusal', async () => {
    const cookie = await sessionCookie('bob', ['reviewer']);
    const { response, text } = await browser(`/audit/sessions/${sessionId}`, {
      headers: { cookie },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('location')).toBeNull();
    expect(text).not.toContain('staff-read');
    const rows = await auditRows(response.headers.get('x-request-id') ?? '');
    expect(rows).toMatchObject([
      { event: 'decision', decision: 'deny', rule_id: 'auditor-access', actor_subject: 'bob' },
    ]);
  });
});
