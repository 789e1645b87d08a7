// CSRF tokens for the review forms (OWASP "HMAC-based synchronizer token").
//
// token = base64url(HMAC-SHA-256(csrfKey, "v1" ‖ sid ‖ requestId)), fields
// separated unambiguously. Binding to the session id means a token lifted from
// another reviewer's session (or from before a re-login) fails; binding to the
// request id means a token for one request cannot decide another. Nothing is
// stored: the token is recomputed on POST and checked with WebCrypto's
// `verify`, which compares in constant time.
import { decodeBase64Url, encodeBase64Url } from './base64url.ts';

function tokenInput(sid: string, requestId: string) {
  return new TextEncoder().encode(JSON.stringify(['v1', sid, requestId]));
}

export async function createCsrfToken(
  key: CryptoKey,
  sid: string,
  requestId: string,
): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', key, tokenInput(sid, requestId));
  return encodeBase64Url(new Uint8Array(mac));
}

export async function verifyCsrfToken(
  key: CryptoKey,
  sid: string,
  requestId: string,
  token: unknown,
): Promise<boolean> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 100) return false;
  const mac = decodeBase64Url(token);
  if (mac === undefined || mac.length !== 32) return false;
  return crypto.subtle.verify('HMAC', key, new Uint8Array(mac), tokenInput(sid, requestId));
}
