// The gateway's browser session: who signed in, until when, sealed in a cookie.
// One session serves every page of the gateway: the review pages (/review)
// and the auditor pages (/audit); each page decides from the session's groups
// what the person may see or do.
//
// Stateless on purpose: the gateway keeps no session store, so a session is
// exactly what the sealed cookie says (AES-GCM under a key derived from
// SESSION_SECRET, expiry inside). The trade-off is that logout clears the
// cookie but cannot revoke a copy stolen earlier; the short lifetime (8 h by
// default) and HttpOnly + SameSite=Lax bound that risk. Nor does a session
// learn that the IdP took someone's groups away or disabled them: so a
// decision, and any auditor page, needs a sign-in younger than
// `signInMaxAgeSeconds` (1 h by default; `signedInAt`), which brings fresh
// groups from the IdP.
//
// Path=/ because the pages live under two prefixes; a path is no security
// boundary anyway (a script on the origin can fetch any path with the
// cookie). The cookie does reach the API and the namespaces too, where
// nothing reads it: those take a bearer token only, and the proxy never
// forwards cookies to a trace store (proxy/forward-headers.ts). The name
// differs from the earlier `tracegate-review` (Path=/review) so a leftover
// copy of that cookie can never shadow this one.
//
// Each session carries a random `sid` that CSRF tokens are bound to, so a
// token taken from one session is useless in another.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Principal } from '../identity/principal.ts';
import { encodeBase64Url } from './base64url.ts';
import { openValue, sealValue, type OpenResult } from './sealed-value.ts';
import type { SessionKeys } from './session-keys.ts';

/** The part of a Principal a session keeps: identity and groups, not the token's details. */
export type SessionPrincipal = Pick<
  Principal,
  'issuerId' | 'issuer' | 'subject' | 'email' | 'groups'
>;

export interface ReviewSession {
  sid: string;
  principal: SessionPrincipal;
  expiresAt: number;
  /** When the person signed in (ms since the epoch); 0 for a session sealed without it. */
  signedInAt: number;
}

/** Whether the session's sign-in is at most `maxAgeSeconds` old: fresh enough to decide. */
export function signedInWithin(
  session: ReviewSession,
  now: number,
  maxAgeSeconds: number,
): boolean {
  return session.signedInAt > 0 && now - session.signedInAt <= maxAgeSeconds * 1000;
}

const PURPOSE = 'review-session';
export const SESSION_COOKIE_PATH = '/';

/**
 * `__Host-` (RFC 6265bis §4.1.3.2) whenever the cookie can carry `Secure`:
 * Secure, Path=/ and no Domain, so a sibling subdomain cannot plant a session
 * of its own choosing (say, the attacker's) in the reviewer's browser.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-tracegate-session' : 'tracegate-session';
}

/** A new session for `principal` and its sealed cookie value. */
export async function sealReviewSession(
  keys: SessionKeys,
  principal: SessionPrincipal,
  options: { now: number; ttlSeconds: number },
): Promise<{ session: ReviewSession; sealed: string }> {
  const session: ReviewSession = {
    sid: encodeBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    principal: {
      issuerId: principal.issuerId,
      issuer: principal.issuer,
      subject: principal.subject,
      email: principal.email,
      groups: [...principal.groups],
    },
    expiresAt: options.now + options.ttlSeconds * 1000,
    signedInAt: options.now,
  };
  const sealed = await sealValue(
    keys.session,
    PURPOSE,
    { sid: session.sid, principal: session.principal, signedInAt: session.signedInAt },
    session.expiresAt,
  );
  return { session, sealed };
}

export async function createReviewSession(
  c: Context,
  keys: SessionKeys,
  principal: SessionPrincipal,
  options: { now: number; ttlSeconds: number; secure: boolean },
): Promise<ReviewSession> {
  const { session, sealed } = await sealReviewSession(keys, principal, options);
  setCookie(c, sessionCookieName(options.secure), sealed, {
    path: SESSION_COOKIE_PATH,
    httpOnly: true,
    secure: options.secure,
    sameSite: 'Lax',
    maxAge: options.ttlSeconds,
  });
  return session;
}

/** The signed-in reviewer, or a reason there is none (for logs). */
export async function readReviewSession(
  c: Context,
  keys: SessionKeys,
  options: { now: number; secure: boolean },
): Promise<OpenResult<ReviewSession> | { ok: false; reason: 'absent' }> {
  const sealed = getCookie(c, sessionCookieName(options.secure));
  if (sealed === undefined || sealed === '') return { ok: false, reason: 'absent' };
  const opened = await openValue(keys.session, PURPOSE, sealed, options.now, narrowSessionBody);
  if (!opened.ok) return opened;
  return {
    ok: true,
    value: { ...opened.value, expiresAt: opened.expiresAt },
    expiresAt: opened.expiresAt,
  };
}

export function clearReviewSession(c: Context, secure: boolean): void {
  deleteCookie(c, sessionCookieName(secure), {
    path: SESSION_COOKIE_PATH,
    httpOnly: true,
    secure,
    sameSite: 'Lax',
  });
}

function narrowSessionBody(value: unknown): Omit<ReviewSession, 'expiresAt'> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const sid: unknown = Reflect.get(value, 'sid');
  const principal: unknown = Reflect.get(value, 'principal');
  if (typeof sid !== 'string' || sid === '') return undefined;
  if (typeof principal !== 'object' || principal === null) return undefined;
  const field = (name: string): unknown => Reflect.get(principal, name);
  const issuerId = field('issuerId');
  const issuer = field('issuer');
  const subject = field('subject');
  const email = field('email');
  const groups = field('groups');
  if (typeof issuerId !== 'string' || typeof issuer !== 'string' || typeof subject !== 'string') {
    return undefined;
  }
  if (email !== undefined && typeof email !== 'string') return undefined;
  if (!Array.isArray(groups) || !groups.every((g): g is string => typeof g === 'string')) {
    return undefined;
  }
  const signedInAt: unknown = Reflect.get(value, 'signedInAt');
  return {
    sid,
    principal: { issuerId, issuer, subject, email, groups },
    // A session from before sign-in times were sealed counts as old: it may still read, not decide.
    signedInAt: typeof signedInAt === 'number' && Number.isFinite(signedInAt) ? signedInAt : 0,
  };
}
