// What a grant opens, as pure functions: the one place that decides whether a
// grant covers a read, used for grants read from D1 and for the grant a held
// read receives from the Durable Object alike.
//
// A grant covers a read only when all of these hold:
//   - the same principal (issuer + subject), never anyone else;
//   - the same namespace and the same policy rule that asked for the review,
//     so a grant won under a lenient rule never opens reads a stricter rule
//     guards (and a read the policy now allows, denies or blocks never even
//     looks for a grant);
//   - the same kind of method (HEAD counts as GET: it reads the same thing);
//   - the scope: `request` = the same path and query (as forwarded to the
//     store, forwarded-query.ts); `trace` = the same trace id;
//     `namespace` = any path;
//   - it has not expired.
import type { Grant, GrantScope } from '../../durable-objects/access-request-contract.ts';

export interface ReadScope {
  issuer: string;
  subject: string;
  namespace: string;
  ruleId: string;
  method: string;
  /** Path below the namespace prefix, and the query the store is sent (`?a=1`, or none). */
  path: string;
  resourceId: string | null;
}

/** HEAD reads what GET reads; every other method stands for itself. */
export function methodClass(method: string): string {
  const upper = method.toUpperCase();
  return upper === 'HEAD' ? 'GET' : upper;
}

export interface GrantLike {
  granteeIssuer: string;
  granteeSubject: string;
  namespace: string;
  ruleId: string;
  scope: string;
  method: string;
  path: string;
  resourceId: string | null;
  expiresAt: number;
}

export function grantCovers(grant: GrantLike, read: ReadScope, now: number): boolean {
  if (now >= grant.expiresAt) return false;
  if (grant.granteeIssuer !== read.issuer || grant.granteeSubject !== read.subject) return false;
  if (grant.namespace !== read.namespace || grant.ruleId !== read.ruleId) return false;
  if (methodClass(grant.method) !== methodClass(read.method)) return false;
  switch (grant.scope) {
    case 'request':
      return grant.path === read.path;
    case 'trace':
      return grant.resourceId !== null && grant.resourceId === read.resourceId;
    case 'namespace':
      return true;
    default:
      // An unknown scope (a row from a newer version?) opens nothing.
      return false;
  }
}

/** The contract's Grant (from the Durable Object) in the shape grantCovers reads. */
export function grantLike(grant: Grant, ruleId: string): GrantLike {
  return {
    granteeIssuer: grant.grantee.issuer,
    granteeSubject: grant.grantee.subject,
    namespace: grant.namespace,
    ruleId,
    scope: grant.scope,
    method: grant.method,
    path: grant.path,
    resourceId: grant.resourceId,
    expiresAt: grant.expiresAt,
  };
}

/** A `trace` grant for a read that names no trace narrows to `request`: it never widens. */
export function narrowScope(scope: GrantScope, resourceId: string | null): GrantScope {
  return scope === 'trace' && resourceId === null ? 'request' : scope;
}

/**
 * Requests that would produce the same grant share a key, so the same
 * requester asking again while one is pending reuses it. Only the parts the
 * scope looks at are in the key.
 */
export function scopeKey(
  requested: GrantScope,
  read: Omit<ReadScope, 'issuer' | 'subject'>,
): string {
  const scope = narrowScope(requested, read.resourceId);
  return JSON.stringify([
    read.namespace,
    read.ruleId,
    scope,
    methodClass(read.method),
    scope === 'request' ? read.path : null,
    scope === 'trace' ? read.resourceId : null,
  ]);
}
