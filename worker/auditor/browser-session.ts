// Browser sign-in for the auditor pages: the gateway session of
// worker/session/ (OIDC code + PKCE at /review/login, sealed cookie, Path=/),
// the same one the review pages use rather than a second login. Whoever
// signed in is an auditor only if the session's groups say so
// (require-auditor.ts checks), and only while the sign-in is recent enough to
// trust them (`signInMaxAgeSeconds`): an older session counts as none, so a
// browser goes back through the sign-in and comes back with the IdP's
// current groups.
import type { Context } from 'hono';
import { AUDIT_SESSION_LIST, parseReturnPath, signInHref } from '../review/login/return-path.ts';
import { publicOrigin } from '../session/public-origin.ts';
import { readReviewSession, signedInWithin } from '../session/review-session.ts';
import { sessionKeys } from '../session/session-keys.ts';
import type { AuditorEnv, AuditorIdentity } from './require-auditor.ts';

export function reviewSessionPrincipal(
  now: () => number,
  signInMaxAgeSeconds: number,
): (c: Context<AuditorEnv>) => Promise<AuditorIdentity | { staleSignIn: AuditorIdentity } | null> {
  return async (c) => {
    let keys;
    try {
      keys = await sessionKeys(c.env);
    } catch {
      return null; // No SESSION_SECRET: browser sign-in is off, bearer tokens still work.
    }
    const { secure } = publicOrigin(c.env, c.req.url);
    const at = now();
    const session = await readReviewSession(c, keys, { now: at, secure });
    if (!session.ok) return null;
    const { principal } = session.value;
    return signedInWithin(session.value, at, signInMaxAgeSeconds)
      ? principal
      : { staleSignIn: principal };
  };
}

/**
 * A browser that opens an auditor page with neither a session nor a bearer
 * header is sent to the sign-in, which brings it back here. GET and HEAD only:
 * the redirect is safe there and touches nothing (the sign-in itself sets only
 * its short-lived flow cookie). The way back is this page when the sign-in's
 * allow-list takes it, else the session list; a query (the list's filters)
 * is not carried, as the allow-list takes none. Null: answer 401 instead.
 */
export function signInRedirect(c: Context<AuditorEnv>): Response | null {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return null;
  const here = parseReturnPath(new URL(c.req.url).pathname, []);
  c.header('cache-control', 'no-store');
  return c.redirect(signInHref(here.ok ? here.path : AUDIT_SESSION_LIST), 302);
}
