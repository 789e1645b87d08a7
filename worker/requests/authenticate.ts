// Who is calling an API route: the bearer token verified by the gateway's one
// TokenVerifier (the same instance, JWKS cache and rules as the read path),
// with the same outcome on failure: an `auth_failed` audit row with the exact
// reason, and a coarse 401/503 to the caller (identityErrorCode).
import type { AuditLog } from '../audit/audit-log.ts';
import { causeReason, GatewayError } from '../http/errors.ts';
import type { Principal } from '../identity/principal.ts';
import { identityErrorCode, type TokenVerifier } from '../identity/verify-access-token.ts';

export interface AuthenticateContext {
  requestId: string;
  audit: AuditLog;
  /** Keeps the audit write alive after the response (ExecutionContext.waitUntil). */
  waitUntil: (promise: Promise<unknown>) => void;
}

export async function authenticate(
  verifier: TokenVerifier,
  request: Request,
  context: AuthenticateContext,
): Promise<Principal> {
  const verified = await verifier.verify(request.headers.get('authorization'));
  if (verified.ok) return verified.principal;
  const event = {
    event: 'auth_failed' as const,
    requestId: context.requestId,
    method: request.method.toUpperCase(),
    path: new URL(request.url).pathname,
    decision: 'unauthenticated',
    reason: `${verified.reason}: ${verified.detail}`,
  };
  context.waitUntil(
    context.audit.write(event).catch((error: unknown) => {
      console.error(`[${context.requestId}] audit write failed: ${causeReason(error)}`);
    }),
  );
  throw new GatewayError(identityErrorCode(verified.reason), {
    cause: new Error(verified.detail),
  });
}
