// Getting tokens from the development IdP without a browser, by doing what a
// browser does: authorization code + PKCE (RFC 7636, S256) through the IdP's
// real login and consent pages (follow redirects, keep cookies, fill and post
// the forms), then the code exchange. Also the client_credentials grant for
// the machine client. Works against any issuer that serves these pages.
import { createHash, randomBytes } from 'node:crypto';
import { testUserPassword } from './accounts.ts';
import {
  cliClientId,
  cliClientSecret,
  defaultReviewRedirectUris,
  reviewClientId,
} from './provider-config.ts';

export interface UserTokenOptions {
  issuer: string;
  user: string;
  /** Defaults to the dev password `tracegate`. */
  password?: string;
  /** Defaults to `tracegate-review`. */
  clientId?: string;
  /** A redirect URI registered for the client; never fetched. Defaults to the gateway's :8787 callback. */
  redirectUri?: string;
  /** Defaults to `openid email profile groups traces:read`. */
  scope?: string;
}

export interface TokenSet {
  accessToken: string;
  idToken: string | undefined;
  expiresIn: number;
  scope: string | undefined;
}

const maxSteps = 12;

/** Runs the browser flow for `user` and returns the JWT access token. */
export async function getUserToken(options: UserTokenOptions): Promise<string> {
  return (await getUserTokenSet(options)).accessToken;
}

export async function getUserTokenSet(options: UserTokenOptions): Promise<TokenSet> {
  const issuer = options.issuer.replace(/\/$/, '');
  const clientId = options.clientId ?? reviewClientId;
  const redirectUri = options.redirectUri ?? defaultReviewRedirectUris[0] ?? '';
  const metadata = await discover(issuer);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL(metadata.authorizationEndpoint);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: options.scope ?? 'openid email profile groups traces:read',
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  const callback = await runInteraction(
    authorize,
    redirectUri,
    options.user,
    options.password ?? testUserPassword,
  );
  const error = callback.searchParams.get('error');
  if (error !== null) {
    throw new Error(
      `authorization failed: ${error} ${callback.searchParams.get('error_description') ?? ''}`.trim(),
    );
  }
  if (callback.searchParams.get('state') !== state)
    throw new Error('authorization response state mismatch');
  const iss = callback.searchParams.get('iss');
  if (iss !== null && iss !== issuer)
    throw new Error(`authorization response from unexpected issuer ${iss}`); // RFC 9207
  const code = callback.searchParams.get('code');
  if (code === null) throw new Error('authorization response has no code');

  return requestToken(
    metadata.tokenEndpoint,
    new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
    }),
  );
}

export interface ClientCredentialsOptions {
  issuer: string;
  /** Defaults to the machine client `tracegate-cli` and its dev secret. */
  clientId?: string;
  clientSecret?: string;
  scope?: string;
}

/** client_credentials grant (HTTP Basic client auth); returns the JWT access token. */
export async function getClientCredentialsToken(
  options: ClientCredentialsOptions,
): Promise<string> {
  const metadata = await discover(options.issuer.replace(/\/$/, ''));
  const clientId = options.clientId ?? cliClientId;
  const secret = options.clientSecret ?? cliClientSecret;
  const basic = Buffer.from(
    `${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`,
  ).toString('base64');
  const tokens = await requestToken(
    metadata.tokenEndpoint,
    new URLSearchParams({
      grant_type: 'client_credentials',
      scope: options.scope ?? 'traces:read',
    }),
    { authorization: `Basic ${basic}` },
  );
  return tokens.accessToken;
}

/** Follows redirects and fills forms until the IdP redirects to `redirectUri`. */
async function runInteraction(
  start: URL,
  redirectUri: string,
  user: string,
  password: string,
): Promise<URL> {
  const cookies = new Map<string, string>();
  const posted = new Set<string>();
  let request: { url: URL; form?: URLSearchParams } = { url: start };
  for (let step = 0; step < maxSteps; step++) {
    const response = await fetch(request.url, {
      method: request.form === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(request.form === undefined
          ? {}
          : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(request.form === undefined ? {} : { body: request.form.toString() }),
    });
    storeCookies(cookies, response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      const next = new URL(location, request.url);
      if (next.href.startsWith(redirectUri)) return next;
      request = { url: next };
      continue;
    }
    const html = await response.text();
    if (!response.ok || /class="error"/.test(html)) {
      throw new Error(`sign-in as ${user} failed (HTTP ${response.status}): ${pageMessage(html)}`);
    }
    const action = /<form\b[^>]*\baction="([^"]*)"/i.exec(html)?.[1];
    if (action === undefined) throw new Error(`no form on ${request.url.pathname}`);
    const target = new URL(action.replaceAll('&amp;', '&'), request.url);
    if (posted.has(target.href)) throw new Error(`sign-in loop at ${target.pathname}`);
    posted.add(target.href);
    const form = /name="username"/.test(html)
      ? new URLSearchParams({ username: user, password })
      : new URLSearchParams();
    request = { url: target, form };
  }
  throw new Error(`sign-in did not finish within ${maxSteps} steps`);
}

async function requestToken(
  tokenEndpoint: string,
  body: URLSearchParams,
  headers: Record<string, string> = {},
): Promise<TokenSet> {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...headers,
    },
    body: body.toString(),
  });
  const json: unknown = await response.json();
  const field = (name: string): unknown =>
    json !== null && typeof json === 'object' ? (json as Record<string, unknown>)[name] : undefined;
  const accessToken = field('access_token');
  if (!response.ok || typeof accessToken !== 'string') {
    throw new Error(
      `token request failed (HTTP ${response.status}): ${String(field('error'))} ${String(field('error_description') ?? '')}`,
    );
  }
  const idToken = field('id_token');
  const scope = field('scope');
  return {
    accessToken,
    idToken: typeof idToken === 'string' ? idToken : undefined,
    expiresIn: Number(field('expires_in')),
    scope: typeof scope === 'string' ? scope : undefined,
  };
}

async function discover(
  issuer: string,
): Promise<{ authorizationEndpoint: string; tokenEndpoint: string }> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`discovery at ${issuer} failed with HTTP ${response.status}`);
  const doc: unknown = await response.json();
  const get = (name: string): unknown =>
    doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)[name] : undefined;
  const authorizationEndpoint = get('authorization_endpoint');
  const tokenEndpoint = get('token_endpoint');
  if (
    get('issuer') !== issuer ||
    typeof authorizationEndpoint !== 'string' ||
    typeof tokenEndpoint !== 'string'
  ) {
    throw new Error(`discovery document at ${issuer} does not describe that issuer`);
  }
  return { authorizationEndpoint, tokenEndpoint };
}

function storeCookies(jar: Map<string, string>, setCookies: string[]): void {
  for (const header of setCookies) {
    const [pair = '', ...attributes] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const expired = attributes.some(
      (a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a),
    );
    if (expired) jar.delete(name);
    else jar.set(name, pair.slice(eq + 1).trim());
  }
}

function pageMessage(html: string): string {
  const error = /class="error"[^>]*>([^<]*)</.exec(html)?.[1];
  return (
    error ??
    html
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .slice(0, 200)
  ).trim();
}
