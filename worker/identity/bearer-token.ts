// Step 1a: the bearer token out of an `Authorization` header.
//
// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token, where
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
// The scheme is case-insensitive (RFC 9110 §11.1). Exactly one credential is
// accepted: several `Authorization` headers arrive joined by ", ", which is
// not b64token, so they are refused rather than guessed between.

export type BearerTokenFailure = 'missing' | 'malformed' | 'too_large';

export type BearerTokenResult =
  { ok: true; token: string } | { ok: false; reason: BearerTokenFailure };

const BEARER_CREDENTIALS = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const SCHEME_PREFIX = 'Bearer '.length;

export function extractBearerToken(
  authorization: string | null,
  maxTokenBytes: number,
): BearerTokenResult {
  if (authorization === null) return { ok: false, reason: 'missing' };
  // Checked before any parsing so that an oversized header costs nothing. A
  // valid header is ASCII, so its length in code units is its length in bytes.
  if (authorization.length > maxTokenBytes + SCHEME_PREFIX) {
    return { ok: false, reason: 'too_large' };
  }
  const match = BEARER_CREDENTIALS.exec(authorization.trim());
  const token = match?.[1];
  if (token === undefined) return { ok: false, reason: 'malformed' };
  if (token.length > maxTokenBytes) return { ok: false, reason: 'too_large' };
  return { ok: true, token };
}
