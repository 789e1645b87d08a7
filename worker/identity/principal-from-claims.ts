// Step 1e: a Principal from a verified token's claims, by the issuer's claim mapping.
//
// Runs only on claims whose signature, issuer, audience and lifetime jose has
// already checked. Claim values are still shaped by the IdP, so every value is
// narrowed from `unknown`: an odd shape never crashes the gateway, and a
// malformed groups claim yields no groups (which can only deny more).
import type { JWTPayload } from 'jose';
import type { IssuerConfig } from '../config/schema.ts';
import type { Principal } from './principal.ts';

export type PrincipalResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'missing_claim' | 'claim_invalid'; detail: string };

export function principalFromClaims(issuer: IssuerConfig, claims: JWTPayload): PrincipalResult {
  const subjectClaim = issuer.claims.subject;
  const subject = claimAt(claims, subjectClaim);
  if (subject === undefined) {
    return {
      ok: false,
      reason: 'missing_claim',
      detail: `subject claim "${subjectClaim}" missing`,
    };
  }
  if (typeof subject !== 'string' || subject === '') {
    return {
      ok: false,
      reason: 'claim_invalid',
      detail: `subject claim "${subjectClaim}" is not a non-empty string`,
    };
  }
  const email = claimAt(claims, issuer.claims.email);
  return {
    ok: true,
    principal: {
      issuerId: issuer.id,
      issuer: issuer.issuer,
      subject,
      email: typeof email === 'string' ? email : undefined,
      groups: groupsFrom(claimAt(claims, issuer.claims.groups)).map(
        (group) => (issuer.claims.groupsPrefix ?? '') + group,
      ),
      tokenId: typeof claims.jti === 'string' ? claims.jti : undefined,
      issuedAt: typeof claims.iat === 'number' ? claims.iat : undefined,
    },
  };
}

/** Groups are an array of strings or a single string; anything else is no groups. */
export function groupsFrom(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return [];
  const groups = value.filter((g): g is string => typeof g === 'string' && g !== '');
  return [...new Set(groups)];
}

/**
 * The value at a claim path. A claim whose whole name matches wins (so
 * namespaced claims such as `https://example.com/roles` work); otherwise the
 * path is split on dots (`realm_access.roles`). Only own properties are read,
 * so a path such as `__proto__.x` or `constructor` finds nothing.
 */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let current: unknown = claims;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
