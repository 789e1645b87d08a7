// The foundation end to end: real tokens from the development OIDC provider,
// the gateway under wrangler dev (workerd, local D1), the origin shim that
// insists on its own credential. Attacker-side tokens are built here from the
// IdP's real public key and real tokens.
import { createHmac, createPublicKey, type JsonWebKey as NodeJsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  SignJWT,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTracesDir } from '../../local-dev/paths.ts';
import { startE2EStack, type E2EStack } from './support/e2e-stack.ts';

let e2e: E2EStack;
const langfuseTrace = readFileSync(path.join(defaultTracesDir, 'langfuse-langgraph-js.trace.json'));

beforeAll(async () => {
  e2e = await startE2EStack();
});
afterAll(async () => {
  await e2e?.close();
});

const b64url = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

async function read(pathname: string, token?: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${e2e.gatewayUrl}${pathname}`, {
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
  });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

/** Paths unique to a case, so the origin log shows whether the case reached the store. */
const attackPath = (name: string) => `/langfuse/api/public/traces/attack-${name}`;
const reachedStore = (pathname: string) =>
  e2e.originLog.some((line) => line.includes(pathname.replace('/langfuse', '')));

describe('an allowed read through the real stack', () => {
  it('returns the masked trace, the store credential injected by the gateway', async () => {
    const token = await e2e.tokenFor('dave');
    const { response, body } = await read('/langfuse/api/public/traces/langgraph-weather', token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    // The namespace's masking profile: same structure and ids, the developer
    // machine's user name (in paths and host attributes) gone.
    expect(langfuseTrace.toString()).toContain('jannik');
    expect(body.toString()).not.toContain('jannik');
    const served = JSON.parse(body.toString()) as {
      trace: { id: string };
      observations: unknown[];
    };
    const original = JSON.parse(langfuseTrace.toString()) as typeof served;
    expect(served.trace.id).toBe(original.trace.id);
    expect(served.observations).toHaveLength(original.observations.length);
    // The origin log sees this read, so its absence below means something.
    expect(reachedStore('/langfuse/api/public/traces/langgraph-weather')).toBe(true);
    // The store itself refuses the caller's token: only the injected credential opens it.
    const direct = await fetch(`${e2e.stack.origin.url}/api/public/traces/langgraph-weather`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(direct.status).toBe(401);
  });

  it('masks a store that gzips its answer although the gateway asked for identity', async () => {
    // workerd decodes the content coding of a subrequest's body, so the masker
    // sees JSON; were it handed gzip bytes, it would fail closed (malformed_utf8).
    const token = await e2e.tokenFor('dave');
    const pathname = '/langfuse/api/public/traces/langgraph-weather?fault=gzip';
    const { response, body } = await read(pathname, token);
    expect(response.status).toBe(200);
    expect(body.toString()).not.toContain('jannik');
    const served = JSON.parse(body.toString()) as { observations: unknown[] };
    const original = JSON.parse(langfuseTrace.toString()) as typeof served;
    expect(served.observations).toHaveLength(original.observations.length);
    // The store did send gzip: one answer far smaller than the trace.
    const sent = e2e.originLog
      .filter((l) => l.includes('GET /api/public/traces/langgraph-weather 200'))
      .map((l) => Number(/ (\d+)B$/.exec(l)?.[1]));
    expect(Math.min(...sent)).toBeLessThan(langfuseTrace.length / 4);
  });

  it('streams OTLP, NDJSON and SSE traces in the otlp namespace', async () => {
    const token = await e2e.tokenFor('alice');
    const sse = await read('/otlp/sse/traces/anthropic-thinking', token);
    expect(sse.response.status).toBe(200);
    expect(sse.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sse.body.toString()).toContain('thinking_delta');
  });

  it('leaves a decision row and a completion row in the audit log', async () => {
    const token = await e2e.tokenFor('dave');
    const { response } = await read('/langfuse/api/public/traces/langgraph-weather', token);
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id') ?? '';
    const rows = await e2e.sql<{
      mask_counts: string | null;
      event: string;
      decision: string;
      rule_id: string;
      actor_email: string;
      bytes: number;
    }>(
      `SELECT event, decision, rule_id, actor_email, bytes, mask_counts FROM audit_events WHERE request_id = '${requestId}' ORDER BY seq`,
    );
    expect(rows.map((r) => r.event)).toEqual(['decision', 'completed']);
    expect(rows[0]).toMatchObject({
      decision: 'allow',
      rule_id: 'auditors-read',
      actor_email: 'dave@example.test',
    });
    expect(rows[1]?.bytes).toBeGreaterThan(1000);
    // Counts per entity type, never the values.
    expect(JSON.parse(rows[1]?.mask_counts ?? 'null')).toMatchObject({
      HOSTNAME: expect.any(Number),
    });
  });
});

describe('policy through the real stack', () => {
  it('blocks bulk listing with the rule message and denies users with no matching rule', async () => {
    const blocked = await read('/langfuse/api/public/traces', await e2e.tokenFor('alice'));
    expect(blocked.response.status).toBe(403);
    expect(JSON.parse(blocked.body.toString())).toMatchObject({ code: 'blocked' });
    // dave may GET anything else; the listing stays blocked in any case a store might route.
    const shouted = await read('/langfuse/API/Public/Traces', await e2e.tokenFor('dave'));
    expect(shouted.response.status).toBe(403);
    expect(JSON.parse(shouted.body.toString())).toMatchObject({ code: 'blocked' });
    const denied = await read(
      '/langfuse/api/public/traces/langgraph-weather',
      await e2e.tokenFor('mallory'),
    );
    expect(denied.response.status).toBe(403);
    expect(JSON.parse(denied.body.toString())).toMatchObject({ code: 'access_denied' });
  });

  it('refuses a path that a store could resolve to the blocked listing', async () => {
    // alice may read single traces only. To a store that decodes %2F or %5C and resolves
    // "..", cuts path parameters, stops at NUL, merges slashes, decodes twice, strips a
    // trailing dot or folds Unicode, each of these is more.
    const token = await e2e.tokenFor('alice');
    for (const path of [
      '/langfuse/api/public/traces/x%2F..%2F..%2Ftraces',
      '/langfuse/api/public/traces/x%5C..%5C..%5Ctraces',
      '/langfuse/api/public/traces/..;',
      '/langfuse/api/public/traces/x%00',
      '/langfuse/api//public/traces',
      '/langfuse/api/public/traces;x',
      '/langfuse/api/public/%2574races',
      '/langfuse/api/public/traces.',
      '/langfuse/api/public/trace%C5%BF',
    ]) {
      const { response, body } = await read(path, token);
      expect([path, response.status]).toEqual([path, 400]);
      expect(JSON.parse(body.toString())).toMatchObject({ code: 'bad_request' });
      expect(reachedStore(path)).toBe(false);
    }
  });

  it('refuses a query parameter the namespace does not forward', async () => {
    // The shipped langfuse namespace forwards `traceId` (only where it names
    // the trace: the observation listing) and the origin shim's `fault`.
    const token = await e2e.tokenFor('alice');
    for (const [name, query] of [
      ['method-override', '?_method=DELETE'],
      ['other-trace', '?traceId=langgraph-weather'],
      ['other-trace-case', '?TraceId=langgraph-weather'],
    ] as const) {
      const path = `${attackPath(name)}${query}`;
      const { response, body } = await read(path, token);
      expect([path, response.status]).toEqual([path, 400]);
      expect(JSON.parse(body.toString())).toMatchObject({ code: 'bad_request' });
      expect(reachedStore(attackPath(name))).toBe(false);
    }
  });
});

describe('a trace named in the query', () => {
  it('serves one trace’s observations, masked, and never every trace’s', async () => {
    // alice may read single traces; the observation listing names its trace in `traceId`.
    const token = await e2e.tokenFor('alice');
    const one = await read('/langfuse/api/public/observations?traceId=langgraph-weather', token);
    expect(one.response.status).toBe(200);
    const original = JSON.parse(langfuseTrace.toString()) as { observations: unknown[] };
    expect(JSON.parse(one.body.toString())).toMatchObject({
      data: expect.any(Array),
      meta: { totalItems: original.observations.length },
    });
    expect(langfuseTrace.toString()).toContain('jannik');
    expect(one.body.toString()).not.toContain('jannik');

    const all = await read('/langfuse/api/public/observations', token);
    expect(all.response.status).toBe(403);
    expect(JSON.parse(all.body.toString())).toMatchObject({ code: 'blocked' });
    const two = await read(
      '/langfuse/api/public/observations?traceId=langgraph-weather&traceId=openai-agents-hello',
      token,
    );
    expect(two.response.status).toBe(400);
    expect(JSON.parse(two.body.toString())).toMatchObject({
      code: 'bad_request',
      detail: 'The query is refused: the read names more than one trace.',
    });
    const requests = e2e.originLog.filter((line) => line.includes('/api/public/observations'));
    expect(requests).toHaveLength(1);
  });
});

describe('the API document in the deployed bundle', () => {
  it('serves /openapi.json and /docs without a token, and the document lists the API', async () => {
    const document = await read('/openapi.json');
    expect(document.response.status).toBe(200);
    const doc = JSON.parse(document.body.toString()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/requests/{id}', '/v1/audit', '/v1/sessions/{id}']),
    );
    const page = await read('/docs');
    expect(page.response.status).toBe(200);
    expect(page.response.headers.get('content-type')).toContain('text/html');
    expect(page.response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.body.toString()).toContain('/v1/requests/{id}');
  });
});

describe('forged and broken tokens are a 401 and never reach the store', () => {
  let real: string;
  let realHeader: { kid?: string };
  let idpJwk: JWK;

  beforeAll(async () => {
    real = await e2e.tokenFor('alice');
    realHeader = decodeProtectedHeader(real);
    const jwks = (await (await fetch(e2e.stack.idp.jwksUri)).json()) as { keys: JWK[] };
    const key = jwks.keys.find((k) => k.kid === realHeader.kid);
    if (key === undefined) throw new Error('the IdP does not publish the key of its own token');
    idpJwk = key;
    expect(createLocalJWKSet(jwks)).toBeTypeOf('function');
  });

  const cases: [string, () => Promise<string | undefined>][] = [
    ['no-token', async () => undefined],
    [
      'alg-none',
      async () => `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${real.split('.')[1]}.`,
    ],
    [
      'hs256-with-public-key',
      async () => {
        // The classic key-confusion attack: HMAC keyed with the IdP's public key.
        const header = b64url(JSON.stringify({ alg: 'HS256', kid: realHeader.kid }));
        const payload = real.split('.')[1] ?? '';
        const pem = createPublicKey({
          key: idpJwk as NodeJsonWebKey,
          format: 'jwk',
        }).export({
          type: 'spki',
          format: 'pem',
        });
        const signature = createHmac('sha256', pem)
          .update(`${header}.${payload}`)
          .digest('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      'attacker-key-with-idp-kid',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT({ ...decodeJwt(real), groups: ['auditor'] })
          .setProtectedHeader({ alg: 'RS256', kid: realHeader.kid })
          .sign(privateKey);
      },
    ],
    [
      'tampered-groups',
      async () => {
        const [header, , signature] = real.split('.');
        const payload = b64url(JSON.stringify({ ...decodeJwt(real), groups: ['auditor'] }));
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      'unknown-issuer',
      async () => {
        const { privateKey, publicKey } = await generateKeyPair('RS256');
        await exportJWK(publicKey);
        return new SignJWT({ sub: 'alice', groups: ['auditor'] })
          .setProtectedHeader({ alg: 'RS256', kid: 'evil' })
          .setIssuer('http://evil.localhost')
          .setAudience('tracegate')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey);
      },
    ],
    ['malformed', async () => 'not.a.jwt'],
    ['oversized', async () => 'a'.repeat(20_000)],
  ];

  for (const [name, makeToken] of cases) {
    it(`${name}: 401 problem+json with a challenge, and no upstream request`, async () => {
      const pathname = attackPath(name);
      const { response, body } = await read(pathname, await makeToken());
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="tracegate"/);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(body.toString())).toMatchObject({ status: 401 });
      expect(reachedStore(pathname)).toBe(false);
    });
  }

  it('an attack row in the audit says why, the caller was told nothing more', async () => {
    const { response, body } = await read(attackPath('audited'), `${real.slice(0, -4)}AAAA`);
    expect(response.status).toBe(401);
    expect(body.toString()).not.toMatch(/signature|jose|JWS/i);
    const rows = await e2e.sql<{ event: string; reason: string }>(
      `SELECT event, reason FROM audit_events WHERE request_id = '${response.headers.get('x-request-id')}'`,
    );
    expect(rows).toEqual([
      { event: 'auth_failed', reason: expect.stringMatching(/^bad_signature/) },
    ]);
  });
});
