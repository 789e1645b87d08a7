// Reviewer sign-in inside workerd: the gateway's OIDC code + PKCE flow against
// a fake issuer that signs real ID tokens with a key made at test time and
// checks PKCE, client and redirect URI at its token endpoint like a real one.
// Every IdP request goes through a fetch seam that fails on anything else.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import {
  SignJWT,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app.ts';
import { ConfigError, validateGatewayConfig } from '../../worker/config/load.ts';
import { sealReviewSession } from '../../worker/session/review-session.ts';
import { openValue } from '../../worker/session/sealed-value.ts';
import { sessionKeys } from '../../worker/session/session-keys.ts';

const GATEWAY = 'http://gateway.test';
const SECRET = 'test-session-secret-0123456789abcdef';
const CLIENT_ID = 'tracegate-review';
const REQUEST_ID = 'a'.repeat(64);

interface IssuedCode {
  challenge: string;
  redirectUri: string;
  clientId: string;
  nonce: string;
  user: string;
}

/** A fake OpenID provider: discovery, token endpoint and JWKS, with real signatures. */
class FakeOidcProvider {
  readonly issuer = `https://idp-${crypto.randomUUID().slice(0, 8)}.test`;
  readonly codes = new Map<string, IssuedCode>();
  tokenRequests = 0;
  /** Changes the next ID token (claims) or the key it is signed with. */
  tamper: { claims?: JWTPayload; key?: CryptoKey } = {};

  private readonly privateKey: CryptoKey;
  private readonly jwk: JWK;
  private readonly kid: string;

  private constructor(privateKey: CryptoKey, jwk: JWK, kid: string) {
    this.privateKey = privateKey;
    this.jwk = jwk;
    this.kid = kid;
  }

  static async create(): Promise<FakeOidcProvider> {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const kid = `k-${crypto.randomUUID().slice(0, 8)}`;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
    return new FakeOidcProvider(pair.privateKey, jwk, kid);
  }

  /** The user signs in at the authorization endpoint; returns the callback URL's query. */
  authorize(authorizeUrl: URL, user: string): URLSearchParams {
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${this.issuer}/auth`);
    const q = authorizeUrl.searchParams;
    const code = crypto.randomUUID();
    this.codes.set(code, {
      challenge: q.get('code_challenge') ?? '',
      redirectUri: q.get('redirect_uri') ?? '',
      clientId: q.get('client_id') ?? '',
      nonce: q.get('nonce') ?? '',
      user,
    });
    return new URLSearchParams({ code, state: q.get('state') ?? '', iss: this.issuer });
  }

  readonly fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.href === `${this.issuer}/.well-known/openid-configuration`) {
      return Response.json({
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/auth`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        id_token_signing_alg_values_supported: ['RS256'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (url.href === `${this.issuer}/jwks`) return Response.json({ keys: [this.jwk] });
    if (url.href === `${this.issuer}/token` && request.method === 'POST') {
      this.tokenRequests++;
      const form = new URLSearchParams();
      for (const [name, value] of await request.formData()) form.set(name, String(value));
      return this.token(form);
    }
    throw new Error(`unexpected IdP request ${request.method} ${url.href}`);
  }) as typeof fetch;

  private async token(form: URLSearchParams): Promise<Response> {
    const refuse = (error: string) => Response.json({ error }, { status: 400 });
    const issued = this.codes.get(form.get('code') ?? '');
    if (issued === undefined || form.get('grant_type') !== 'authorization_code') {
      return refuse('invalid_grant');
    }
    this.codes.delete(form.get('code') ?? '');
    if (form.get('client_id') !== issued.clientId || issued.clientId !== CLIENT_ID) {
      return refuse('invalid_client');
    }
    if (form.get('redirect_uri') !== issued.redirectUri) return refuse('invalid_grant');
    const digest = await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode(form.get('code_verifier') ?? ''),
    );
    const challenge = btoa(String.fromCharCode(...new Uint8Array(digest)))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    if (challenge !== issued.challenge) return refuse('invalid_grant');
    const now = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT({
      iss: this.issuer,
      sub: issued.user,
      aud: CLIENT_ID,
      iat: now,
      exp: now + 300,
      nonce: issued.nonce,
      email: `${issued.user}@example.test`,
      realm_access: { roles: ['reviewer', 'staff'] },
      ...this.tamper.claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid })
      .sign(this.tamper.key ?? this.privateKey);
    return Response.json({
      access_token: 'opaque-access-token',
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    });
  }
}

let idp: FakeOidcProvider;

function config(publicLogin: Record<string, unknown> = {}) {
  return validateGatewayConfig({
    version: 1,
    gateway: { reviewLogin: { issuer: 'corp', clientId: CLIENT_ID, ...publicLogin } },
    issuers: [
      {
        id: 'corp',
        issuer: idp.issuer,
        jwksUri: `${idp.issuer}/jwks`,
        audiences: ['tracegate'],
        algorithms: ['RS256'],
        // Groups from a nested claim: the pages must use the same mapping as the API.
        claims: { groups: 'realm_access.roles' },
      },
    ],
    namespaces: [
      {
        id: 'lf',
        pathPrefix: '/lf',
        upstream: { origin: 'https://origin.test' },
        policy: { rules: [{ id: 'all', match: {}, outcome: 'allow' }] },
      },
    ],
  });
}

function gatewayApp() {
  return createApp({ config: config(), idpFetch: idp.fetch, jwksFetch: idp.fetch });
}

async function send(
  path: string,
  init: RequestInit = {},
  bindings: Record<string, unknown> = {},
  app = gatewayApp(),
) {
  const ctx = createExecutionContext();
  const response = await app.request(
    `${GATEWAY}${path}`,
    { redirect: 'manual', ...init },
    { ...env, PUBLIC_URL: GATEWAY, SESSION_SECRET: SECRET, ...bindings },
    ctx,
  );
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, body };
}

/** name → { value, attributes } from a response's Set-Cookie headers. */
function setCookies(response: Response) {
  const cookies = new Map<string, { value: string; attributes: string[] }>();
  for (const line of response.headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    cookies.set(pair.slice(0, eq), {
      value: pair.slice(eq + 1),
      attributes: attributes.map((a) => a.toLowerCase()),
    });
  }
  return cookies;
}

async function startLogin(
  returnTo = `/review/${REQUEST_ID}`,
  bindings: Record<string, unknown> = {},
) {
  const { response } = await send(
    `/review/login?return=${encodeURIComponent(returnTo)}`,
    {},
    bindings,
  );
  expect(response.status).toBe(302);
  const secure = String(bindings['PUBLIC_URL'] ?? GATEWAY).startsWith('https:');
  const name = secure ? '__Host-tracegate-login' : 'tracegate-login';
  const flowCookie = setCookies(response).get(name);
  expect(flowCookie).toBeDefined();
  return {
    authorizeUrl: new URL(response.headers.get('location') ?? ''),
    cookie: `${name}=${flowCookie?.value ?? ''}`,
    response,
  };
}

async function completeLogin(
  user = 'bob',
  returnTo = `/review/${REQUEST_ID}`,
  bindings: Record<string, unknown> = {},
) {
  const login = await startLogin(returnTo, bindings);
  const query = idp.authorize(login.authorizeUrl, user);
  return send(`/review/callback?${query}`, { headers: { cookie: login.cookie } }, bindings);
}

beforeAll(async () => {
  idp = await FakeOidcProvider.create();
});

beforeEach(() => {
  idp.tamper = {};
  idp.tokenRequests = 0;
});

describe('starting a sign-in', () => {
  it('redirects to the issuer with PKCE S256, state, nonce and the configured redirect URI', async () => {
    const { authorizeUrl, response } = await startLogin();
    const q = authorizeUrl.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(CLIENT_ID);
    expect(q.get('redirect_uri')).toBe(`${GATEWAY}/review/callback`);
    expect(q.get('scope')).toBe('openid email profile groups');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const flow = setCookies(response).get('tracegate-login');
    expect(flow?.attributes).toEqual(
      expect.arrayContaining(['httponly', 'samesite=lax', 'path=/', 'max-age=600']),
    );
    expect(flow?.attributes).not.toContain('secure');
  });

  it('keeps the PKCE verifier and state out of the readable cookie value', async () => {
    const { authorizeUrl, cookie } = await startLogin();
    const state = authorizeUrl.searchParams.get('state') ?? '';
    expect(state).not.toBe('');
    expect(cookie).not.toContain(state);
    expect(
      atob(cookie.split('=')[1]?.replaceAll('-', '+').replaceAll('_', '/') ?? ''),
    ).not.toContain(state);
  });

  it.each([
    'https://evil.example/review/x',
    '//evil.example',
    '/\\evil.example',
    '/review/../admin',
    '/review/%2F%2Fevil.example',
    '/review/x?next=https://evil.example',
    'javascript:alert(1)',
    '/healthz',
    '/review/login',
    '/review/callback',
    '/audit',
    '/audit/sessions/',
    '/audit/sessions/x/body',
    '/audit/sessions/../../review/login',
    '/audit/sessions/%2F%2Fevil.example',
    '/audit/sessions?next=https://evil.example',
    '//evil.example/audit/sessions',
    'https://evil.example/audit/sessions',
    '/\\evil.example/audit/sessions',
    '/v1/audit',
  ])('refuses the return path %s instead of redirecting anywhere', async (returnTo) => {
    const { response, body } = await send(`/review/login?return=${encodeURIComponent(returnTo)}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(body).toContain('not a review or audit page of this gateway');
  });

  it('marks cookies Secure with the __Host- prefix when the public URL is https', async () => {
    const { response } = await send(
      `/review/login?return=/review/${REQUEST_ID}`,
      {},
      { PUBLIC_URL: 'https://gateway.example' },
    );
    expect(response.status).toBe(302);
    const flow = setCookies(response).get('__Host-tracegate-login');
    // What a browser requires of a __Host- cookie, or it drops it.
    expect(flow?.attributes).toEqual(expect.arrayContaining(['secure', 'path=/']));
    expect(flow?.attributes.some((a) => a.startsWith('domain='))).toBe(false);
    const redirect = new URL(response.headers.get('location') ?? '');
    expect(redirect.searchParams.get('redirect_uri')).toBe(
      'https://gateway.example/review/callback',
    );
  });

  it('fails closed with gateway_misconfigured when SESSION_SECRET is missing', async () => {
    const { response, body } = await send(
      `/review/login?return=/review/${REQUEST_ID}`,
      {},
      { SESSION_SECRET: undefined },
    );
    expect(response.status).toBe(500);
    expect(body).toContain('data-code="gateway_misconfigured"');
    expect(response.headers.get('location')).toBeNull();
  });

  it('answers 503 when the issuer’s discovery document cannot be fetched', async () => {
    const down = (async () => new Response('down', { status: 502 })) as typeof fetch;
    const app = createApp({ config: config(), idpFetch: down, jwksFetch: down });
    const { response, body } = await send(`/review/login`, {}, {}, app);
    expect(response.status).toBe(503);
    expect(body).toContain('data-code="idp_unavailable"');
  });
});

describe('the callback', () => {
  it('signs the reviewer in with a session cookie and returns to the review page', async () => {
    const { response } = await completeLogin('bob');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/review/${REQUEST_ID}`);
    const cookies = setCookies(response);
    const session = cookies.get('tracegate-session');
    // Path=/: the one session serves the review pages and the auditor pages.
    expect(session?.attributes).toEqual(
      expect.arrayContaining(['httponly', 'samesite=lax', 'path=/', 'max-age=28800']),
    );
    expect(session?.attributes).not.toContain('secure');
    // The flow cookie is single use.
    expect(cookies.get('tracegate-login')?.attributes).toContain('max-age=0');

    const index = await send('/review', {
      headers: { cookie: `tracegate-session=${session?.value ?? ''}` },
    });
    expect(index.body).toContain('Signed in as <strong>bob@example.test</strong>');
  });

  it.each(['/review', '/audit/sessions', `/audit/sessions/${crypto.randomUUID()}`])(
    'returns to %s, a page the one gateway session serves',
    async (returnTo) => {
      const { response } = await completeLogin('dave', returnTo);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(returnTo);
      expect(setCookies(response).get('tracegate-session')?.attributes).toContain('path=/');
    },
  );

  it('sets the session as a Secure __Host- cookie for the whole gateway when the public URL is https', async () => {
    const https = { PUBLIC_URL: 'https://gateway.example' };
    const { response } = await completeLogin('bob', '/audit/sessions', https);
    expect(response.status).toBe(303);
    const cookies = setCookies(response);
    expect(cookies.has('tracegate-session')).toBe(false);
    expect(cookies.get('__Host-tracegate-session')?.attributes).toEqual(
      expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']),
    );
    expect(
      cookies.get('__Host-tracegate-session')?.attributes.some((a) => a.startsWith('domain=')),
    ).toBe(false);
    expect(cookies.get('__Host-tracegate-login')?.attributes).toEqual(
      expect.arrayContaining(['secure', 'path=/', 'max-age=0']),
    );
  });

  it.each(['gateway.example', 'ftp://gateway.example', 'javascript:alert(1)'])(
    'refuses to sign in when PUBLIC_URL is set but is not an http(s) URL (%s)',
    async (publicUrl) => {
      // Falling back to the request URL would drop Secure behind a TLS-terminating proxy.
      const { response } = await send(
        `/review/login?return=/review/${REQUEST_ID}`,
        {},
        { PUBLIC_URL: publicUrl },
      );
      expect(response.status).toBe(500);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(response.headers.get('location')).toBeNull();
    },
  );

  it('keeps groups from the issuer’s configured claim path in the session', async () => {
    const { response } = await completeLogin('bob');
    const sealed = setCookies(response).get('tracegate-session')?.value ?? '';
    const keys = await sessionKeys({ SESSION_SECRET: SECRET });
    const opened = await openValue(keys.session, 'review-session', sealed, Date.now(), (v) => v);
    expect(opened.ok && opened.value).toMatchObject({
      principal: {
        issuerId: 'corp',
        issuer: idp.issuer,
        subject: 'bob',
        groups: ['reviewer', 'staff'],
      },
    });
  });

  it('refuses a response whose state differs from the one sent, before any token request', async () => {
    const login = await startLogin();
    const query = idp.authorize(login.authorizeUrl, 'bob');
    query.set('state', 'forged-state-value-0000000000');
    const { response, body } = await send(`/review/callback?${query}`, {
      headers: { cookie: login.cookie },
    });
    expect(response.status).toBe(400);
    expect(body).toContain('does not match the sign-in that was started');
    expect(setCookies(response).has('tracegate-session')).toBe(false);
    expect(idp.tokenRequests).toBe(0);
    // The login cookie is single use, failure or not: the browser is told to drop it.
    expect(setCookies(response).get('tracegate-login')?.attributes).toContain('max-age=0');
  });

  it('refuses a callback without the login cookie (another browser, or a replay)', async () => {
    const login = await startLogin();
    const query = idp.authorize(login.authorizeUrl, 'bob');
    const { response } = await send(`/review/callback?${query}`);
    expect(response.status).toBe(400);
    expect(setCookies(response).has('tracegate-session')).toBe(false);
    expect(idp.tokenRequests).toBe(0);
  });

  it('refuses a code issued to another sign-in, because its PKCE verifier does not match', async () => {
    const mine = await startLogin();
    const theirs = await startLogin();
    const theirQuery = idp.authorize(theirs.authorizeUrl, 'mallory');
    const myState = mine.authorizeUrl.searchParams.get('state') ?? '';
    theirQuery.set('state', myState);
    const { response } = await send(`/review/callback?${theirQuery}`, {
      headers: { cookie: mine.cookie },
    });
    expect(idp.tokenRequests).toBe(1);
    expect(response.status).toBe(401);
    expect(setCookies(response).has('tracegate-session')).toBe(false);
  });

  it('refuses an ID token signed by a key that is not in the issuer’s JWKS', async () => {
    idp.tamper = { key: (await generateKeyPair('RS256')).privateKey };
    const { response, body } = await completeLogin('bob');
    expect(response.status).toBe(401);
    expect(body).toContain('data-code="invalid_token"');
    expect(setCookies(response).has('tracegate-session')).toBe(false);
  });

  it('refuses an ID token whose nonce is not the one sent', async () => {
    idp.tamper = { claims: { nonce: 'someone-elses-nonce' } };
    const { response } = await completeLogin('bob');
    expect(response.status).toBe(401);
    expect(setCookies(response).has('tracegate-session')).toBe(false);
  });

  it('refuses an ID token for another audience', async () => {
    idp.tamper = { claims: { aud: 'another-client' } };
    const { response } = await completeLogin('bob');
    expect(response.status).toBe(401);
    expect(setCookies(response).has('tracegate-session')).toBe(false);
  });

  it('shows the IdP’s refusal as a page and creates no session', async () => {
    const login = await startLogin();
    const state = login.authorizeUrl.searchParams.get('state') ?? '';
    const query = new URLSearchParams({ error: 'access_denied', state, iss: idp.issuer });
    const { response, body } = await send(`/review/callback?${query}`, {
      headers: { cookie: login.cookie },
    });
    expect(response.status).toBe(401);
    expect(body).toContain('did not sign you in');
    expect(setCookies(response).has('tracegate-session')).toBe(false);
  });
});

describe('the session cookie', () => {
  const bob = () => ({
    issuerId: 'corp',
    issuer: idp.issuer,
    subject: 'bob',
    email: 'bob@example.test',
    groups: ['reviewer'],
  });

  it('is refused when tampered with', async () => {
    const keys = await sessionKeys({ SESSION_SECRET: SECRET });
    const { sealed } = await sealReviewSession(keys, bob(), { now: Date.now(), ttlSeconds: 3600 });
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
    const { body } = await send('/review', { headers: { cookie: `tracegate-session=${flipped}` } });
    expect(body).not.toContain('Signed in as');
    const valid = await send('/review', { headers: { cookie: `tracegate-session=${sealed}` } });
    expect(valid.body).toContain('Signed in as <strong>bob@example.test</strong>');
  });

  it('is refused once expired, whatever the cookie’s Max-Age said', async () => {
    const keys = await sessionKeys({ SESSION_SECRET: SECRET });
    const { sealed } = await sealReviewSession(keys, bob(), {
      now: Date.now() - 9 * 3600 * 1000,
      ttlSeconds: 8 * 3600,
    });
    const { body } = await send('/review', { headers: { cookie: `tracegate-session=${sealed}` } });
    expect(body).not.toContain('Signed in as');
  });

  it('is refused when sealed under another SESSION_SECRET', async () => {
    const keys = await sessionKeys({ SESSION_SECRET: `${SECRET}-previous` });
    const { sealed } = await sealReviewSession(keys, bob(), { now: Date.now(), ttlSeconds: 3600 });
    const { body } = await send('/review', { headers: { cookie: `tracegate-session=${sealed}` } });
    expect(body).not.toContain('Signed in as');
  });

  it('is cleared by logout, which needs the session’s logout token', async () => {
    const keys = await sessionKeys({ SESSION_SECRET: SECRET });
    const { sealed } = await sealReviewSession(keys, bob(), { now: Date.now(), ttlSeconds: 3600 });
    const cookie = `tracegate-session=${sealed}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded', origin: GATEWAY };
    const forged = await send('/review/logout', {
      method: 'POST',
      headers: { ...form, cookie },
      body: 'csrf=AAAA',
    });
    expect(forged.response.status).toBe(403);

    const index = await send('/review', { headers: { cookie } });
    const token = /name="csrf" value="([^"]+)"/.exec(index.body)?.[1] ?? '';
    expect(token).not.toBe('');
    const { response } = await send('/review/logout', {
      method: 'POST',
      headers: { ...form, cookie },
      body: new URLSearchParams({ csrf: token }).toString(),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/review');
    expect(setCookies(response).get('tracegate-session')?.attributes).toContain('max-age=0');
  });
});

describe('the reviewLogin configuration', () => {
  it('names the field when the sign-in issuer is not a configured issuer id', () => {
    expect(() => config({ issuer: 'nope' })).toThrow(ConfigError);
    expect(() => config({ issuer: 'nope' })).toThrow(
      /gateway\.reviewLogin\.issuer: unknown issuer id "nope"/,
    );
  });

  it('requires the openid scope', () => {
    expect(() => config({ scopes: ['email'] })).toThrow(/gateway\.reviewLogin\.scopes/);
  });
});
