// Step 1 of the request path: who is calling, from an OIDC bearer token.
//
// Order matters, and each step runs before anything costlier:
//   a. extract the bearer token (size-capped before any parsing);
//   b. decode header and claims WITHOUT trusting them, only to pick the issuer
//      by exact `iss` match: an unknown issuer is refused before any fetch;
//   c. refuse an `alg` outside that issuer's pinned list before fetching keys
//      (this is what kills `alg: none` and HS256-keyed-with-the-public-key);
//   d. `jwtVerify` with the issuer's cached JWKS and pinned options: the
//      signature, `iss`, `aud`, `exp` (required), `nbf`, and `iat` age;
//   e. map the verified claims to a Principal.
// Failures are tagged reasons with a log-only detail; `identityErrorCode`
// turns a reason into what the caller sees.
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { IssuerConfig } from '../config/schema.ts';
import { extractBearerToken } from './bearer-token.ts';
import {
  classifyVerifyError,
  describeCause,
  keyResolver,
  truncate,
  type IdentityFailureReason,
} from './identity-failure.ts';
import { issuerKeys } from './jwks-cache.ts';
import type { Principal } from './principal.ts';
import { principalFromClaims } from './principal-from-claims.ts';

export { identityErrorCode, type IdentityFailureReason } from './identity-failure.ts';

export type VerifyResult =
  { ok: true; principal: Principal } | { ok: false; reason: IdentityFailureReason; detail: string };

export interface TokenVerifier {
  verify(authorizationHeader: string | null): Promise<VerifyResult>;
}

export interface TokenVerifierDeps {
  /** Transport for JWKS fetches (a test seam); the global fetch by default. */
  fetch?: typeof fetch;
  /** Clock for token lifetimes, in milliseconds since the epoch. */
  now?: () => number;
  /** Longest accepted token; the gateway's `maxTokenBytes`. */
  maxTokenBytes?: number;
}

const DEFAULT_MAX_TOKEN_BYTES = 8192;

export function createTokenVerifier(
  issuers: IssuerConfig[],
  deps: TokenVerifierDeps = {},
): TokenVerifier {
  if (issuers.length === 0) throw new TypeError('at least one trusted issuer is required');
  const byIssuer = new Map<string, IssuerConfig>();
  for (const issuer of issuers) {
    if (byIssuer.has(issuer.issuer)) throw new TypeError(`duplicate issuer "${issuer.issuer}"`);
    if (issuer.algorithms.length === 0) {
      throw new TypeError(`issuer "${issuer.id}" pins no algorithms`);
    }
    byIssuer.set(issuer.issuer, issuer);
  }
  const now = deps.now ?? Date.now;
  const maxTokenBytes = deps.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;

  const fail = (reason: IdentityFailureReason, detail: string): VerifyResult => ({
    ok: false,
    reason,
    detail,
  });

  return {
    async verify(authorizationHeader) {
      const bearer = extractBearerToken(authorizationHeader, maxTokenBytes);
      if (!bearer.ok) return fail(bearer.reason, `bearer token ${bearer.reason}`);
      const token = bearer.token;

      // Untrusted until jwtVerify succeeds: used only to pick the issuer and
      // to refuse early.
      let alg: unknown;
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
        alg = decodeProtectedHeader(token).alg;
      } catch (error) {
        return fail('malformed', describeCause(error));
      }
      const issuer = typeof iss === 'string' ? byIssuer.get(iss) : undefined;
      if (issuer === undefined) {
        return fail(
          'unknown_issuer',
          `untrusted iss ${truncate(JSON.stringify(iss) ?? 'undefined')}`,
        );
      }
      if (typeof alg !== 'string' || !issuer.algorithms.some((allowed) => allowed === alg)) {
        return fail(
          'alg_not_allowed',
          `alg ${truncate(JSON.stringify(alg) ?? 'undefined')} not pinned for issuer "${issuer.id}"`,
        );
      }

      const keys = issuerKeys(issuer, deps.fetch);
      const getKey = keyResolver(keys);
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(token, getKey, {
          issuer: issuer.issuer,
          audience: issuer.audiences,
          algorithms: issuer.algorithms,
          clockTolerance: issuer.clockToleranceSeconds,
          ...(issuer.maxTokenAgeSeconds === undefined
            ? {}
            : { maxTokenAge: issuer.maxTokenAgeSeconds }),
          ...(issuer.tokenType === undefined ? {} : { typ: issuer.tokenType }),
          requiredClaims: ['exp', 'sub'],
          currentDate: new Date(now()),
        }));
      } catch (error) {
        const failure = classifyVerifyError(error);
        const stale = keys.staleBecause();
        const staleNote = stale === undefined ? '' : ` (JWKS stale: ${truncate(stale, 100)})`;
        return fail(failure.reason, `issuer "${issuer.id}": ${failure.detail}${staleNote}`);
      }

      const principal = principalFromClaims(issuer, claims);
      if (!principal.ok)
        return fail(principal.reason, `issuer "${issuer.id}": ${principal.detail}`);
      return { ok: true, principal: principal.principal };
    },
  };
}
