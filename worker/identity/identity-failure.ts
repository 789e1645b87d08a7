// Why a caller's token was refused, and what the caller is told.
//
// The reasons are precise, for logs and the audit; the wire codes are
// deliberately coarse (RFC 6750 §3.1): a caller learns only that it sent no
// token, that its token is not valid, or that we cannot verify tokens right
// now. jose errors are classified by their stable `code`, never by message.
import type { JWTVerifyGetKey } from 'jose';
import type { ErrorCode } from '../http/errors.ts';
import { JwksUnavailableError, type IssuerKeys } from './jwks-cache.ts';

export type IdentityFailureReason =
  | 'missing'
  | 'malformed'
  | 'too_large'
  | 'unknown_issuer'
  | 'alg_not_allowed'
  | 'no_matching_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_audience'
  | 'wrong_token_type'
  | 'claim_invalid'
  | 'missing_claim'
  | 'token_too_old'
  | 'idp_unavailable';

/** Maps every reason to the error the caller sees. Exhaustive by construction. */
export function identityErrorCode(reason: IdentityFailureReason): ErrorCode {
  switch (reason) {
    case 'missing':
      return 'unauthenticated';
    case 'idp_unavailable':
      return 'idp_unavailable';
    case 'malformed':
    case 'too_large':
    case 'unknown_issuer':
    case 'alg_not_allowed':
    case 'no_matching_key':
    case 'bad_signature':
    case 'expired':
    case 'not_yet_valid':
    case 'wrong_audience':
    case 'wrong_token_type':
    case 'claim_invalid':
    case 'missing_claim':
    case 'token_too_old':
      return 'invalid_token';
  }
}

export interface ClassifiedFailure {
  reason: IdentityFailureReason;
  detail: string;
}

/** An error thrown while resolving the verification key (rather than checking the token). */
export class KeyResolutionError extends Error {
  constructor(cause: unknown) {
    super('key resolution failed', { cause });
    this.name = 'KeyResolutionError';
  }
}

/**
 * The issuer's key resolver for jose, with its errors wrapped in
 * KeyResolutionError: a key that cannot be fetched may be the IdP's fault
 * (503), an error about the token never is.
 */
export function keyResolver(keys: IssuerKeys): JWTVerifyGetKey {
  return async (header, input) => {
    try {
      return await keys.getKey(header, input);
    } catch (error) {
      throw new KeyResolutionError(error);
    }
  };
}

/** Classifies an error thrown by jose's `jwtVerify` (or by our key resolver inside it). */
export function classifyVerifyError(error: unknown): ClassifiedFailure {
  if (error instanceof KeyResolutionError) return classifyKeyError(error.cause);
  const { code, claim, reason } = errorFields(error);
  const detail = describeCause(error);
  switch (code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return { reason: 'bad_signature', detail };
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return { reason: 'alg_not_allowed', detail };
    case 'ERR_JWT_EXPIRED':
      // jose reports a token older than maxTokenAge as expired, on the `iat` claim.
      return { reason: claim === 'iat' ? 'token_too_old' : 'expired', detail };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing') return { reason: 'missing_claim', detail };
      if (claim === 'aud' && reason === 'check_failed') return { reason: 'wrong_audience', detail };
      if (claim === 'nbf' && reason === 'check_failed') return { reason: 'not_yet_valid', detail };
      if (claim === 'typ' && reason === 'check_failed')
        return { reason: 'wrong_token_type', detail };
      return { reason: 'claim_invalid', detail };
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID, ERR_JOSE_NOT_SUPPORTED (e.g. an
      // unrecognised `crit`), and anything unexpected: refuse the token.
      return { reason: 'malformed', detail };
  }
}

/**
 * Errors from key resolution. A missing or ambiguous key is the token's
 * problem (401); anything else (fetch failure, a JWKS we cannot use) is the
 * IdP's, and answers 503 so that clients retry rather than drop their token.
 */
function classifyKeyError(error: unknown): ClassifiedFailure {
  const detail = describeCause(error);
  if (error instanceof JwksUnavailableError) return { reason: 'idp_unavailable', detail };
  switch (errorFields(error).code) {
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return { reason: 'no_matching_key', detail };
    default:
      return { reason: 'idp_unavailable', detail };
  }
}

function errorFields(error: unknown): { code?: unknown; claim?: unknown; reason?: unknown } {
  return typeof error === 'object' && error !== null ? error : {};
}

/** A one-line, bounded description for logs: the error's code (or name) and message. */
export function describeCause(error: unknown): string {
  const { code } = errorFields(error);
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  const { claim } = errorFields(error);
  const claimPart = typeof claim === 'string' ? ` [${claim}]` : '';
  return truncate(`${typeof code === 'string' ? code : name}${claimPart}: ${message}`);
}

/** Bounds attacker-influenced text before it reaches logs (never half a character). */
export function truncate(text: string, max = 200): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}
