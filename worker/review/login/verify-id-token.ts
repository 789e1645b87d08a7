// The reviewer's ID token, verified by the gateway's own rules before a session exists.
//
// oauth4webapi has already checked the token response (iss, aud, nonce, exp,
// iat) but, per OIDC Core §3.1.3.7 step 6, it may skip the signature of an ID
// token received straight from the token endpoint. The gateway does not lean
// on that: it verifies the signature with the same cached JWKS the API uses
// (`issuerKeys`), the issuer's pinned algorithms, `aud` = the review client,
// and the nonce it sent; then maps claims with the issuer's configured claim
// paths (`principalFromClaims`), so groups mean the same thing on the pages as
// on the API.
import { jwtVerify, type JWTPayload } from 'jose';
import type { IssuerConfig } from '../../config/schema.ts';
import {
  classifyVerifyError,
  keyResolver,
  type IdentityFailureReason,
} from '../../identity/identity-failure.ts';
import { issuerKeys } from '../../identity/jwks-cache.ts';
import type { Principal } from '../../identity/principal.ts';
import { principalFromClaims } from '../../identity/principal-from-claims.ts';

export type IdTokenResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: IdentityFailureReason | 'nonce_mismatch'; detail: string };

export async function verifyIdToken(
  idToken: string,
  expected: { issuer: IssuerConfig; clientId: string; nonce: string },
  deps: { jwksFetch?: typeof fetch; now: number },
): Promise<IdTokenResult> {
  const { issuer } = expected;
  const getKey = keyResolver(issuerKeys(issuer, deps.jwksFetch));
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(idToken, getKey, {
      issuer: issuer.issuer,
      audience: expected.clientId,
      algorithms: issuer.algorithms,
      clockTolerance: issuer.clockToleranceSeconds,
      requiredClaims: ['exp', 'iat', 'sub', 'nonce'],
      currentDate: new Date(deps.now),
    }));
  } catch (error) {
    const failure = classifyVerifyError(error);
    return { ok: false, reason: failure.reason, detail: `ID token: ${failure.detail}` };
  }
  if (claims.nonce !== expected.nonce) {
    return { ok: false, reason: 'nonce_mismatch', detail: 'ID token nonce does not match' };
  }
  const principal = principalFromClaims(issuer, claims);
  if (!principal.ok) return { ok: false, reason: principal.reason, detail: principal.detail };
  return { ok: true, principal: principal.principal };
}
