// Step 1 as a reusable call: a request's bearer token to a Principal, or the
// GatewayError the caller should see plus the precise reason for the audit.
//
// The trace read path and the auditor routes share it so token handling
// (extraction, size cap, issuer pinning, error mapping) lives in one place:
// verify-access-token.ts decides, this file only maps the result.
import { GatewayError } from '../http/errors.ts';
import type { Principal } from './principal.ts';
import { identityErrorCode, type TokenVerifier } from './verify-access-token.ts';

export type Authentication =
  { ok: true; principal: Principal } | { ok: false; error: GatewayError; reason: string };

export async function authenticate(
  verifier: TokenVerifier,
  authorizationHeader: string | null,
): Promise<Authentication> {
  const verified = await verifier.verify(authorizationHeader);
  if (verified.ok) return { ok: true, principal: verified.principal };
  return {
    ok: false,
    error: new GatewayError(identityErrorCode(verified.reason), {
      cause: new Error(verified.detail),
    }),
    reason: `${verified.reason}: ${verified.detail}`,
  };
}
