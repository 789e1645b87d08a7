// The gate in front of every auditor route: an authenticated principal in one
// of `gateway.auditorGroups`, else 401 / 403 access_denied.
//
// Auditor routes expose recorded traces and the audit log itself, so every
// attempt is audited like a trace read: a refused one after the answer, an
// allowed one BEFORE the handler runs (the write is awaited; if it fails the
// request is refused with 503, as on the read path).
//
// API routes take a bearer token only. Browser pages may also present the
// gateway sign-in session (worker/session/) through `browserPrincipal`; a
// bearer header, when present, always wins. A page request with neither may be
// answered by `signInRedirect` (to the sign-in) instead of 401; the attempt is
// audited the same way.
import type { Context, MiddlewareHandler } from 'hono';
import type { AuditEvent, AuditLog } from '../audit/audit-log.ts';
import { causeReason, GatewayError } from '../http/errors.ts';
import { authenticate } from '../identity/authenticate.ts';
import type { Principal } from '../identity/principal.ts';
import type { TokenVerifier } from '../identity/verify-access-token.ts';

/** Who an auditor is: a token's principal or a browser session's. */
export type AuditorIdentity = Pick<
  Principal,
  'issuerId' | 'issuer' | 'subject' | 'email' | 'groups'
>;

export type AuditorEnv = {
  Bindings: Env;
  Variables: { requestId: string; auditor: AuditorIdentity };
};

export interface AuditorDeps {
  verifier: TokenVerifier;
  auditorGroups: readonly string[];
  auditLogFor: (env: Env) => AuditLog;
  now: () => number;
  /**
   * Browser sign-in for the pages: the session's principal, or null. A
   * session whose sign-in is too old to trust its groups comes back as
   * `staleSignIn`: it counts as none, and the audit row says whose it was.
   */
  browserPrincipal?: (
    c: Context<AuditorEnv>,
  ) => Promise<AuditorIdentity | { staleSignIn: AuditorIdentity } | null>;
  /** For the pages, when sign-in is configured: a redirect to it, or null for a 401. */
  signInRedirect?: (c: Context<AuditorEnv>) => Response | null;
}

export const AUDITOR_RULE_ID = 'auditor-access';

export function isAuditor(
  identity: Pick<Principal, 'groups'>,
  auditorGroups: readonly string[],
): boolean {
  return identity.groups.some((group) => auditorGroups.includes(group));
}

export function requireAuditor(
  deps: AuditorDeps,
  options: { browser: boolean } = { browser: false },
): MiddlewareHandler<AuditorEnv> {
  return async (c, next) => {
    const audit = deps.auditLogFor(c.env);
    const base = {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: new URL(c.req.url).pathname,
    };
    const later = (event: AuditEvent): void => {
      c.executionCtx.waitUntil(
        audit.write(event).catch((error: unknown) => {
          console.error(`[${event.requestId}] audit write failed: ${causeReason(error)}`);
        }),
      );
    };

    const header = c.req.header('authorization') ?? null;
    let identity: AuditorIdentity | null = null;
    let stale: AuditorIdentity | undefined;
    if (header === null && options.browser && deps.browserPrincipal !== undefined) {
      const browser = await deps.browserPrincipal(c);
      if (browser !== null && 'staleSignIn' in browser) stale = browser.staleSignIn;
      else identity = browser;
    }
    if (identity === null) {
      const authentication = await authenticate(deps.verifier, header);
      if (!authentication.ok) {
        later({
          ...base,
          event: 'auth_failed',
          decision: 'unauthenticated',
          ...(stale === undefined
            ? { reason: authentication.reason }
            : {
                principal: { tokenId: undefined, issuedAt: undefined, ...stale },
                reason: 'session sign-in too old to trust its groups: sent to sign in again',
              }),
        });
        const redirect =
          header === null && options.browser ? (deps.signInRedirect?.(c) ?? null) : null;
        if (redirect !== null) {
          redirect.headers.set('x-request-id', base.requestId);
          return redirect;
        }
        throw authentication.error;
      }
      identity = authentication.principal;
    }
    const principal: Principal = { tokenId: undefined, issuedAt: undefined, ...identity };
    if (!isAuditor(identity, deps.auditorGroups)) {
      later({
        ...base,
        event: 'decision',
        principal,
        decision: 'deny',
        ruleId: AUDITOR_RULE_ID,
        reason: 'not in an auditor group',
      });
      throw new GatewayError('access_denied');
    }
    await audit.write({
      ...base,
      event: 'decision',
      principal,
      decision: 'allow',
      ruleId: AUDITOR_RULE_ID,
    });
    c.set('auditor', identity);
    await next();
    c.res.headers.set('x-request-id', base.requestId);
    return undefined;
  };
}
