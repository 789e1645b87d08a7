// Browser sign-in for the auditor pages: the reviewer session of
// worker/session/ (OIDC code + PKCE at /review/login, sealed cookie), reused
// rather than a second login. Whoever signed in is an auditor only if the
// session's groups say so (require-auditor.ts checks).
//
// Note: the session cookie is scoped to Path=/review, so a browser sends it to
// /audit only once that scope includes the auditor pages; until then the
// pages accept a bearer token (Authorization header) only.
import type { Context } from 'hono';
import { publicOrigin } from '../session/public-origin.ts';
import { readReviewSession } from '../session/review-session.ts';
import { sessionKeys } from '../session/session-keys.ts';
import type { AuditorEnv, AuditorIdentity } from './require-auditor.ts';

export function reviewSessionPrincipal(
  now: () => number,
): (c: Context<AuditorEnv>) => Promise<AuditorIdentity | null> {
  return async (c) => {
    let keys;
    try {
      keys = await sessionKeys(c.env);
    } catch {
      return null; // No SESSION_SECRET: browser sign-in is off, bearer tokens still work.
    }
    const { secure } = publicOrigin(c.env, c.req.url);
    const session = await readReviewSession(c, keys, { now: now(), secure });
    return session.ok ? session.value.principal : null;
  };
}
