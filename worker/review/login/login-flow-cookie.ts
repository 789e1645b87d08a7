// The short-lived cookie that carries one sign-in attempt from /review/login
// to the callback: state, nonce, PKCE verifier and where to return.
//
// Sealed (AES-GCM, its own derived key and purpose label) so the browser can
// neither read the verifier nor swap the return path; valid for ten minutes;
// cleared by the callback whatever the outcome, so it is single use.
// SameSite=Lax is what lets it ride along on the IdP's top-level redirect back.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { openValue, sealValue, type OpenResult } from '../../session/sealed-value.ts';
import type { SessionKeys } from '../../session/session-keys.ts';

export interface LoginFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

export const LOGIN_FLOW_TTL_SECONDS = 600;
const PURPOSE = 'login-flow';
/**
 * Only the callback (below /review) reads it, but `__Host-` requires Path=/.
 * The prefix is worth more: without it a sibling subdomain could plant its
 * own sign-in attempt and have the reviewer finish it (login CSRF).
 */
const COOKIE_PATH = '/';

/** `__Host-` (RFC 6265bis §4.1.3.2) whenever the cookie can carry `Secure`. */
function cookieName(secure: boolean): string {
  return secure ? '__Host-tracegate-login' : 'tracegate-login';
}

export async function setLoginFlowCookie(
  c: Context,
  keys: SessionKeys,
  flow: LoginFlow,
  options: { now: number; secure: boolean },
): Promise<void> {
  const sealed = await sealValue(
    keys.loginFlow,
    PURPOSE,
    flow,
    options.now + LOGIN_FLOW_TTL_SECONDS * 1000,
  );
  setCookie(c, cookieName(options.secure), sealed, {
    path: COOKIE_PATH,
    httpOnly: true,
    secure: options.secure,
    sameSite: 'Lax',
    maxAge: LOGIN_FLOW_TTL_SECONDS,
  });
}

/** Reads and clears the login-flow cookie. */
export async function takeLoginFlowCookie(
  c: Context,
  keys: SessionKeys,
  options: { now: number; secure: boolean },
): Promise<OpenResult<LoginFlow> | { ok: false; reason: 'absent' }> {
  const name = cookieName(options.secure);
  const sealed = getCookie(c, name);
  if (sealed === undefined || sealed === '') return { ok: false, reason: 'absent' };
  deleteCookie(c, name, {
    path: COOKIE_PATH,
    httpOnly: true,
    secure: options.secure,
    sameSite: 'Lax',
  });
  return openValue(keys.loginFlow, PURPOSE, sealed, options.now, narrowLoginFlow);
}

function narrowLoginFlow(value: unknown): LoginFlow | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (name: keyof LoginFlow): unknown => Reflect.get(value, name);
  const state = field('state');
  const nonce = field('nonce');
  const codeVerifier = field('codeVerifier');
  const returnTo = field('returnTo');
  if (
    typeof state !== 'string' ||
    typeof nonce !== 'string' ||
    typeof codeVerifier !== 'string' ||
    typeof returnTo !== 'string'
  ) {
    return undefined;
  }
  return { state, nonce, codeVerifier, returnTo };
}
