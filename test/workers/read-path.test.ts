// The trace read path end to end inside workerd: real D1 audit, real token
// verification against a test issuer, a scripted trace store.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app.ts';
import { validateGatewayConfig } from '../../worker/config/load.ts';
import type { AuditLog } from '../../worker/audit/audit-log.ts';
import { GatewayError } from '../../worker/http/errors.ts';
import { createTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

const ORIGIN = 'https://origin.test';
const SECRET = 'pk-test:sk-test';

let idp: TestIssuer;
let upstreamRequests: Request[];
let decisionRowsSeenByUpstream: number[];
let upstreamBehaviour: (request: Request) => Promise<Response>;

function config() {
  return validateGatewayConfig({
    version: 1,
    issuers: [
      {
        id: 'test',
        issuer: idp.issuer,
        jwksUri: idp.jwksUri,
        audiences: ['tracegate'],
        algorithms: ['RS256'],
      },
    ],
    namespaces: [
      {
        id: 'lf',
        pathPrefix: '/lf',
        upstream: {
          origin: ORIGIN,
          kind: 'langfuse',
          timeoutMs: 200,
          credential: { secret: 'TEST_ORIGIN_SECRET', scheme: 'basic' },
        },
        resources: ['/api/public/traces/:traceId', '/api/public/observations?traceId=:traceId'],
        query: { allow: ['fields', 'traceId'] },
        policy: {
          rules: [
            {
              id: 'no-list',
              match: { paths: ['/api/public/traces'] },
              outcome: 'block',
              message: 'No listing.',
            },
            {
              id: 'no-observation-list',
              match: { paths: ['/api/public/observations'], namesTrace: false },
              outcome: 'block',
              message: 'One trace at a time.',
            },
            { id: 'closed-trace', match: { resources: ['t9'] }, outcome: 'deny' },
            {
              id: 'staff-read',
              match: { groups: ['staff'], methods: ['GET', 'HEAD'] },
              outcome: 'allow',
            },
          ],
        },
      },
      {
        id: 'nosecret',
        pathPrefix: '/nosecret',
        upstream: { origin: ORIGIN, credential: { secret: 'NOT_SET_ANYWHERE' } },
        policy: { rules: [{ id: 'all', match: {}, outcome: 'allow' }] },
      },
    ],
  });
}

function appWith(options: { auditLog?: (env: Env) => AuditLog } = {}) {
  return createApp({
    config: config(),
    jwksFetch: idp.jwksFetch,
    upstreamFetch: async (request) => {
      upstreamRequests.push(request);
      const rows = await env.AUDIT_DB.prepare(
        "SELECT count(*) AS n FROM audit_events WHERE event = 'decision' AND request_id = ?",
      )
        .bind(request.headers.get('x-request-id'))
        .first<{ n: number }>();
      decisionRowsSeenByUpstream.push(rows?.n ?? 0);
      return upstreamBehaviour(request);
    },
    ...options,
  });
}

async function send(path: string, init: RequestInit = {}, app = appWith()) {
  const ctx = createExecutionContext();
  const response = await app.request(
    `https://gateway.test${path}`,
    init,
    { ...env, TEST_ORIGIN_SECRET: SECRET },
    ctx,
  );
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, body };
}

async function auditRows(requestId: string) {
  const { results } = await env.AUDIT_DB.prepare(
    'SELECT * FROM audit_events WHERE request_id = ? ORDER BY seq',
  )
    .bind(requestId)
    .all<Record<string, unknown>>();
  return results;
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  idp = await createTestIssuer();
});

beforeEach(() => {
  upstreamRequests = [];
  decisionRowsSeenByUpstream = [];
  upstreamBehaviour = async () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"trace":'));
          controller.enqueue(new TextEncoder().encode('{"id":"t1"}}'));
          controller.close();
        },
      }),
      {
        headers: {
          'content-type': 'application/json',
          'set-cookie': 'store-session=secret',
          'content-length': '21',
          connection: 'keep-alive',
        },
      },
    );
});

describe('an allowed read', () => {
  it('streams the trace with the store credential injected and the caller token withheld', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'], email: 'alice@example.test' });
    const { response, body } = await send('/lf/api/public/traces/t1?fields=core', {
      headers: { authorization: `Bearer ${token}`, cookie: 'gw=1', accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(body).toBe('{"trace":{"id":"t1"}}');
    expect(upstreamRequests).toHaveLength(1);
    const upstream = upstreamRequests[0];
    expect(upstream?.url).toBe(`${ORIGIN}/api/public/traces/t1?fields=core`);
    expect(upstream?.headers.get('authorization')).toBe(`Basic ${btoa(SECRET)}`);
    expect(upstream?.headers.get('cookie')).toBeNull();
    expect(upstream?.headers.get('accept')).toBe('application/json');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('writes the decision row before the store is asked, and a completion row after', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    const { response } = await send('/lf/api/public/traces/t1', bearer(token));
    expect(decisionRowsSeenByUpstream).toEqual([1]);
    const rows = await auditRows(response.headers.get('x-request-id') ?? '');
    expect(rows.map((r) => r.event)).toEqual(['decision', 'completed']);
    expect(rows[0]).toMatchObject({
      decision: 'allow',
      rule_id: 'staff-read',
      namespace: 'lf',
      resource_id: 't1',
      actor_issuer: idp.issuer,
      actor_subject: 'alice',
      actor_groups: '["staff"]',
      method: 'GET',
    });
    expect(rows[1]).toMatchObject({ status: 200, upstream_status: 200, bytes: 21 });
  });

  it('passes the store status and content type through (a 404 stays a 404)', async () => {
    upstreamBehaviour = async () => Response.json({ message: 'trace not found' }, { status: 404 });
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    const { response, body } = await send('/lf/api/public/traces/missing', bearer(token));
    expect(response.status).toBe(404);
    expect(JSON.parse(body)).toEqual({ message: 'trace not found' });
  });
});

describe('the audit invariant', () => {
  it('answers 503 and never asks the store when the decision cannot be recorded', async () => {
    const failingAudit = (): AuditLog => ({
      write: async () => {
        throw new GatewayError('audit_unavailable', { cause: new Error('D1 is down') });
      },
    });
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    const { response, body } = await send(
      '/lf/api/public/traces/t1',
      bearer(token),
      appWith({ auditLog: failingAudit }),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.parse(body)).toMatchObject({ code: 'audit_unavailable' });
    expect(body).not.toContain('D1 is down');
    expect(upstreamRequests).toHaveLength(0);
  });

  it('answers 503 when the real D1 write fails (table missing)', async () => {
    const brokenDb = {
      prepare: () => {
        throw new Error('no such table: audit_events');
      },
    } as unknown as D1Database;
    const ctx = createExecutionContext();
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    const response = await appWith().request(
      'https://gateway.test/lf/api/public/traces/t1',
      bearer(token),
      { ...env, AUDIT_DB: brokenDb, TEST_ORIGIN_SECRET: SECRET },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(503);
    expect(upstreamRequests).toHaveLength(0);
  });
});

describe('decisions that stop a read', () => {
  it('denies by default with 403 problem+json naming no internals', async () => {
    const token = await idp.sign({ sub: 'mallory', groups: ['visitor'] });
    const { response, body } = await send('/lf/api/public/traces/t1', bearer(token));
    expect(response.status).toBe(403);
    expect(JSON.parse(body)).toMatchObject({ code: 'access_denied', status: 403 });
    expect(upstreamRequests).toHaveLength(0);
    const rows = await auditRows(response.headers.get('x-request-id') ?? '');
    expect(rows).toMatchObject([{ event: 'decision', decision: 'deny', rule_id: 'default-deny' }]);
  });

  it('blocks with the rule message', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    const { response, body } = await send('/lf/api/public/traces', bearer(token));
    expect(response.status).toBe(403);
    expect(JSON.parse(body)).toMatchObject({ code: 'blocked', detail: 'No listing.' });
    expect(upstreamRequests).toHaveLength(0);
  });

  it('blocks the listing whatever the case of its path, for stores that route case-insensitively', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    for (const path of ['/lf/API/public/traces', '/lf/api/Public/Traces/']) {
      const { response, body } = await send(path, bearer(token));
      expect([path, response.status]).toEqual([path, 403]);
      expect(JSON.parse(body)).toMatchObject({ code: 'blocked' });
    }
    expect(upstreamRequests).toHaveLength(0);
  });

  it('answers 404 for a path no namespace serves, after authentication', async () => {
    expect((await send('/nowhere')).response.status).toBe(401);
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    const { response, body } = await send('/nowhere', bearer(token));
    expect(response.status).toBe(404);
    expect(JSON.parse(body)).toMatchObject({ code: 'not_found' });
  });

  it('refuses a path the store could read as another one, before the policy and the store', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    // staff-read allows any GET in the namespace: these would reach the store with its credential.
    for (const path of [
      '/lf/api/public/traces/..%2F..%2Fprojects',
      '/lf/api/public/traces/..%5C..%5Cprojects',
      '/lf/api/public/traces/..;/..;/projects',
      '/lf/api/public/traces/t1%00.json',
      '/lf/api//public/traces', // the listing no-list blocks, to a store that merges slashes
      '/lf/api/public/traces;x', // the same, to one that cuts path parameters
      '/lf/api/public/traces/%E0%A4%A', // broken escapes: each store repairs them its own way
      '/lf/api/public/%2574races', // the listing, to a store that decodes twice
      '/lf/api/public/traces.', // the listing, to a Windows server that strips the dot
      '/lf/api/public/%EF%BD%94races', // the listing, to one that applies NFKC (fullwidth t)
    ]) {
      const { response, body } = await send(path, bearer(token));
      expect([path, response.status]).toEqual([path, 400]);
      expect(JSON.parse(body)).toMatchObject({ code: 'bad_request' });
      expect(JSON.parse(body).detail).toMatch(/could read it as another path/);
      expect(await auditRows(response.headers.get('x-request-id') ?? '')).toMatchObject([
        { event: 'decision', decision: 'bad_request', actor_subject: 'alice', namespace: 'lf' },
      ]);
    }
    expect(upstreamRequests).toHaveLength(0);
    // An id with ordinary escapes still reaches the store as sent.
    const { response } = await send('/lf/api/public/traces/a%20b%25', bearer(token));
    expect(response.status).toBe(200);
    expect(new URL(upstreamRequests[0]?.url ?? '').pathname).toBe('/api/public/traces/a%20b%25');
  });

  it('refuses a query parameter the namespace does not forward, before the policy and the store', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    for (const [path, names] of [
      ['/lf/api/public/traces/t1?_method=DELETE', '"_method"'], // method-override middleware
      ['/lf/api/public/traces/t1?fields=core&trace=t2', '"trace"'], // another trace
      ['/lf/api/public/traces/t1?Fields=core', '"Fields"'], // names compare exactly
      ['/lf/api/public/traces/t1?%2566ields=core', '"%66ields"'], // decoded once, not twice
      ['/lf/api/public/traces/t1?a&b&c&d&e&f', '"a", "b", "c", "d", "e" and 1 more'],
    ] as const) {
      const { response, body } = await send(path, bearer(token));
      expect([path, response.status]).toEqual([path, 400]);
      expect(JSON.parse(body)).toMatchObject({
        code: 'bad_request',
        detail: `This namespace does not forward the query parameter ${names} to its trace store.`,
      });
      expect(await auditRows(response.headers.get('x-request-id') ?? '')).toMatchObject([
        {
          event: 'decision',
          decision: 'bad_request',
          actor_subject: 'alice',
          namespace: 'lf',
          reason: `query parameter not forwarded: ${names}`,
        },
      ]);
    }
    expect(upstreamRequests).toHaveLength(0);
  });

  it('decides on the trace a query parameter names, where a resource template reads it there', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    const read = await send('/lf/api/public/observations?traceId=t1', bearer(token));
    expect(read.response.status).toBe(200);
    expect(new URL(upstreamRequests[0]?.url ?? '').search).toBe('?traceId=t1');
    expect(await auditRows(read.response.headers.get('x-request-id') ?? '')).toMatchObject([
      { event: 'decision', decision: 'allow', resource_id: 't1' },
      { event: 'completed', resource_id: 't1' },
    ]);
    // Staff may read any trace but t9: its observations stay closed too,
    const closed = await send('/lf/api/public/observations?traceId=t9', bearer(token));
    expect(closed.response.status).toBe(403);
    expect(await auditRows(closed.response.headers.get('x-request-id') ?? '')).toMatchObject([
      { decision: 'deny', rule_id: 'closed-trace', resource_id: 't9' },
    ]);
    // and a read that names no trace is a listing, which the policy can tell apart.
    const listing = await send('/lf/api/public/observations', bearer(token));
    expect(listing.response.status).toBe(403);
    expect(JSON.parse(listing.body)).toMatchObject({
      code: 'blocked',
      detail: 'One trace at a time.',
    });
    expect(upstreamRequests).toHaveLength(1);
  });

  it('refuses a query that could name another trace than the one the policy sees', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    for (const [path, reason] of [
      ['/lf/api/public/observations?traceId=t1&traceId=t9', 'the read names more than one trace'],
      ['/lf/api/public/observations?traceId=', 'query parameter "traceId" names no trace'],
      [
        '/lf/api/public/traces/t1?traceId=t9',
        'query parameter "traceId" names a trace on other paths, not on this one',
      ],
    ] as const) {
      const { response, body } = await send(path, bearer(token));
      expect([path, response.status]).toEqual([path, 400]);
      expect(JSON.parse(body)).toMatchObject({
        code: 'bad_request',
        detail: `The query is refused: ${reason}.`,
      });
      expect(await auditRows(response.headers.get('x-request-id') ?? '')).toMatchObject([
        { decision: 'bad_request', namespace: 'lf', reason: `ambiguous trace id: ${reason}` },
      ]);
    }
    expect(upstreamRequests).toHaveLength(0);
  });

  it('sends the store the listed parameters as it checked them, re-encoded', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    // A store that splits on ";" would otherwise see a second parameter here.
    for (const [query, forwarded] of [
      ['?fields=core;_method=DELETE', '?fields=core%3B_method%3DDELETE'],
      ['?%66ields=a+b%2Bc', '?fields=a%20b%2Bc'],
      ['?fields', '?fields='],
      ['?', ''],
    ] as const) {
      upstreamRequests = [];
      const { response } = await send(`/lf/api/public/traces/t1${query}`, bearer(token));
      expect([query, response.status]).toEqual([query, 200]);
      expect([query, new URL(upstreamRequests[0]?.url ?? '').search]).toEqual([query, forwarded]);
    }
  });

  it('rejects a missing token with 401, a challenge, and an audit row with the reason', async () => {
    const { response, body } = await send('/lf/api/public/traces/t1');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tracegate"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(body)).toMatchObject({ code: 'unauthenticated' });
    const rows = await auditRows(response.headers.get('x-request-id') ?? '');
    expect(rows).toMatchObject([
      { event: 'auth_failed', reason: expect.stringMatching(/^missing/) },
    ]);
    expect(upstreamRequests).toHaveLength(0);
  });

  it('rejects a token for another audience with 401 invalid_token', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] }, { audience: 'someone-else' });
    const { response, body } = await send('/lf/api/public/traces/t1', bearer(token));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(JSON.parse(body)).toMatchObject({ code: 'invalid_token' });
    expect(upstreamRequests).toHaveLength(0);
  });
});

describe('trace store failures', () => {
  it('answers 502 when the store is unreachable, 504 when it is too slow', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    upstreamBehaviour = async () => {
      throw new TypeError('connection refused');
    };
    const down = await send('/lf/api/public/traces/t1', bearer(token));
    expect(down.response.status).toBe(502);
    expect(JSON.parse(down.body)).toMatchObject({ code: 'upstream_unavailable' });
    expect(down.body).not.toContain('connection refused');

    upstreamBehaviour = (request) =>
      new Promise((_, reject) =>
        request.signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    const slow = await send('/lf/api/public/traces/t1', bearer(token));
    expect(slow.response.status).toBe(504);
    expect(JSON.parse(slow.body)).toMatchObject({ code: 'upstream_timeout' });
  });

  it('answers 502 when the store refuses the gateway credential, without its challenge', async () => {
    upstreamBehaviour = async () =>
      new Response('bad creds', {
        status: 401,
        headers: { 'www-authenticate': 'Basic realm="store"' },
      });
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    const { response } = await send('/lf/api/public/traces/t1', bearer(token));
    expect(response.status).toBe(502);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it('fails closed with 500 when the store credential secret is not set', async () => {
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    const { response, body } = await send('/nosecret/anything', bearer(token));
    expect(response.status).toBe(500);
    expect(JSON.parse(body)).toMatchObject({ code: 'gateway_misconfigured' });
    expect(body).not.toContain('NOT_SET_ANYWHERE');
    expect(upstreamRequests).toHaveLength(0);
  });

  it('records a failed read when the store resets mid-stream', async () => {
    upstreamBehaviour = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"partial":'));
          },
          pull(controller) {
            // Called once the first chunk is taken: the connection drops.
            if (controller.desiredSize !== null && controller.desiredSize > 0) {
              controller.error(new Error('connection reset'));
            }
          },
        }),
      );
    const token = await idp.sign({ sub: 'alice', groups: ['staff'] });
    const ctx = createExecutionContext();
    const response = await appWith().request(
      'https://gateway.test/lf/api/public/traces/t1',
      bearer(token),
      { ...env, TEST_ORIGIN_SECRET: SECRET },
      ctx,
    );
    await expect(response.text()).rejects.toThrow();
    await waitOnExecutionContext(ctx);
    const rows = await auditRows(response.headers.get('x-request-id') ?? '');
    expect(rows.map((r) => r.event)).toEqual(['decision', 'failed']);
    expect(rows[1]).toMatchObject({
      reason: expect.stringContaining('connection reset'),
      bytes: 11,
    });
  });
});
